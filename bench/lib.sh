# Shared by the benchmarks: an isolated home for Berth with its own bridge and subnet, the
# `berth` binary (release build), timing helpers, and cleanup on any exit.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BERTH="$ROOT/target/release/berth"
# net_teardown: the engine's bridges (its own and its networks') and their iptables rules.
source "$ROOT/crates/berth-testkit/src/net-teardown.sh"

bench_home() {
  BHOME=$(mktemp -d /tmp/berth-bench-XXXXXX)
  local id octet
  id=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
  BRIDGE="bb$id"
  # Read once: `ip … | grep -q` under pipefail fails when grep stops reading early, which took a
  # subnet in use (and the teardown then removed its bridge).
  local used
  used=$(ip -4 route; ip -4 -o addr)
  for octet in $(seq 200 249); do
    grep -q "10\.$octet\." <<<"$used" || break
  done
  OCTET=$octet
  mkdir -p "$BHOME/config/berth" "$BHOME/run"
  cat > "$BHOME/config/berth/settings.json" <<JSON
{"engine_bridge_name": "$BRIDGE", "engine_bridge_cidr": "10.$OCTET.0.1/24", "engine_address_pool": "10.$OCTET.128.0/17"}
JSON
  trap bench_cleanup EXIT
}

# Runs berth in the bench home.
b() {
  env -i PATH="$PATH" HOME="$BHOME" XDG_CONFIG_HOME="$BHOME/config" XDG_DATA_HOME="$BHOME/data" \
    XDG_STATE_HOME="$BHOME/state" XDG_RUNTIME_DIR="$BHOME/run" DOCKER_CONFIG="$BHOME/.docker" \
    BERTH_ENGINE_AUTOSTART=0 "$BERTH" "$@"
}

bench_cleanup() {
  b engine stop >/dev/null 2>&1 || true
  net_teardown "$BRIDGE" "$OCTET"
  for m in $(grep " $BHOME" /proc/mounts | cut -d' ' -f2 | sort -r); do umount -l "$m"; done
  rm -rf "$BHOME"
}

# Milliseconds since the epoch.
now_ms() { date +%s%3N; }

# The median of the numbers on stdin.
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

build_release() {
  (cd "$ROOT" && cargo build --release -q -p berth-cli)
}

# Starts Berth's engine in the bench home, points the docker CLI at it, and builds
# berth-bench/busybox (FROM scratch, busybox only; it sleeps unless given a command).
bench_engine_with_busybox() {
  b engine start >/dev/null
  export DOCKER_HOST="unix://$BHOME/run/berth/docker.sock" DOCKER_CONFIG="$BHOME/.docker" DOCKER_BUILDKIT=0
  local ctx="$BHOME/ctx"
  mkdir -p "$ctx"; cp /bin/busybox "$ctx/"
  printf 'FROM scratch\nCOPY busybox /bin/busybox\nCMD ["/bin/busybox", "sleep", "3600"]\n' > "$ctx/Dockerfile"
  docker build -q -t berth-bench/busybox "$ctx" >/dev/null 2>&1
}
