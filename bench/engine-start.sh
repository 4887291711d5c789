#!/usr/bin/env bash
# Cold start of Berth's engine to API ready, median of 5, rootful and rootless; beside it the
# floor: the same dockerd started by hand and polled until /_ping answers.
source "$(dirname "$0")/lib.sh"
build_release
RUNS=${RUNS:-5}

rootful() {
  bench_home
  local berth_ms=() floor_ms=() t
  for _ in $(seq "$RUNS"); do
    rm -rf "$BHOME/data"
    t=$(now_ms); b engine start >/dev/null; berth_ms+=($(($(now_ms) - t)))
    b engine stop >/dev/null
  done
  # The floor: dockerd with the same paths and bridge, no supervisor, polled every 10 ms.
  for _ in $(seq "$RUNS"); do
    rm -rf "$BHOME/data"
    mkdir -p "$BHOME/run/floor"
    t=$(now_ms)
    dockerd --data-root "$BHOME/data/floor" --exec-root "$BHOME/run/floor/exec" --pidfile "$BHOME/run/floor/d.pid" \
      --host "unix://$BHOME/run/floor/d.sock" --bridge "$BRIDGE" --default-address-pool "base=10.$OCTET.128.0/17,size=24" \
      --containerd-namespace berthfloor --containerd-plugins-namespace berthfloor-plugins >"$BHOME/floor.log" 2>&1 &
    local pid=$!
    until curl -sf --unix-socket "$BHOME/run/floor/d.sock" http://x/_ping >/dev/null 2>&1; do sleep 0.01; done
    floor_ms+=($(($(now_ms) - t)))
    kill -TERM $pid; wait $pid || true
  done
  local bm fm
  bm=$(printf '%s\n' "${berth_ms[@]}" | median)
  fm=$(printf '%s\n' "${floor_ms[@]}" | median)
  echo "| rootful | ${bm} ms | ${fm} ms | $(awk "BEGIN {printf \"%.2f\", $bm/$fm}") | runs: ${berth_ms[*]} / ${floor_ms[*]} |"
  bench_cleanup; trap - EXIT
}

RL_USER="bbench$$"
rootless() {
  local user=$RL_USER home runtime
  useradd --create-home --shell /bin/sh "$user"
  echo "$user:400000:65536" >> /etc/subuid; echo "$user:400000:65536" >> /etc/subgid
  local tun_mode; tun_mode=$(stat -c %a /dev/net/tun); chmod 0666 /dev/net/tun
  home=$(getent passwd "$user" | cut -d: -f6); runtime="/tmp/berth-bench-run-$user"
  mkdir -p "$runtime"; chown "$user" "$runtime"; chmod 700 "$runtime"
  RL_RUNTIME=$runtime RL_TUN=$tun_mode
  cleanup_user() {
    pkill -KILL -u "$RL_USER" 2>/dev/null || true
    while pgrep -u "$RL_USER" >/dev/null; do sleep 0.1; done
    userdel --remove "$RL_USER" 2>/dev/null || true; rm -rf "$RL_RUNTIME"
    sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid; chmod "$RL_TUN" /dev/net/tun
  }
  trap cleanup_user EXIT
  cp "$BERTH" "$runtime/berth-cli"; chown "$user" "$runtime/berth-cli"
  ub() { runuser -u "$user" -- env -i HOME="$home" XDG_RUNTIME_DIR="$runtime" PATH=/usr/local/bin:/usr/bin:/bin "$runtime/berth-cli" "$@"; }
  local ms=() t
  for _ in $(seq "$RUNS"); do
    t=$(now_ms); ub engine start >/dev/null; ms+=($(($(now_ms) - t)))
    ub engine stop >/dev/null
  done
  local m; m=$(printf '%s\n' "${ms[@]}" | median)
  echo "| rootless | ${m} ms | – | – | runs: ${ms[*]} |"
  cleanup_user; trap - EXIT
}

echo "| mode | berth engine start (median of $RUNS) | dockerd alone, to /_ping | ratio | raw |"
echo "|---|---|---|---|---|"
rootful
rootless
