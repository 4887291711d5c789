#!/usr/bin/env bash
# Files and archives of 1 GB (MB=…) between this machine and the engine: `cp` out of and into a
# container, `save` and `load` of an image; `berth` against `docker`, side by side in one
# hyperfine run each, then each command's peak memory (max RSS) once (`ONLY=load`: the cases whose
# name says it). Archives stream both ways in Berth, so its memory does not grow with them.
source "$(dirname "$0")/lib.sh"
build_release
MB=${MB:-1024}
bench_home
bench_engine_with_busybox
head -c "$((MB * 1024 * 1024))" /dev/urandom > "$BHOME/blob"
docker run -d --name holder berth-bench/busybox >/dev/null
docker cp "$BHOME/blob" holder:/blob
docker commit holder berth-bench/big:1 >/dev/null
docker save -o "$BHOME/big.tar" berth-bench/big:1
out="$BHOME/out"; mkdir -p "$out"
runs=${HF_RUNS:-5}

# case, berth's command, docker's command, the command run before each. Each run starts with
# no dirty pages (`sync`): the last run's gigabyte being written back is not this one's time.
cases=(
  "cp out of a container|$BERTH cp holder:/blob $out/b|docker cp holder:/blob $out/d|rm -f $out/b $out/d; sync"
  "cp into a container|$BERTH cp $BHOME/blob holder:/in-b|docker cp $BHOME/blob holder:/in-d|sync"
  "save an image|$BERTH save -o $out/b.tar berth-bench/big:1|docker save -o $out/d.tar berth-bench/big:1|rm -f $out/b.tar $out/d.tar; sync"
  "load an image|$BERTH load -i $BHOME/big.tar|docker load -i $BHOME/big.tar|docker rmi -f berth-bench/big:1 >/dev/null; sync"
)
rss() { # peak memory of one run, in MB
  /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.0f", $1 / 1024}'
}
for c in "${cases[@]}"; do
  IFS='|' read -r what berth docker prepare <<<"$c"
  [[ "$what" == *"${ONLY:-}"* ]] || continue # ONLY=load runs the cases whose name says it
  hyperfine --show-output --runs "$runs" -N --export-json "$BHOME/case.json" --prepare "sh -c '$prepare'" \
    "$berth" "$docker" >"$BHOME/hyperfine.log" 2>&1 || { cat "$BHOME/hyperfine.log" >&2; exit 1; }
  sh -c "$prepare"
  berth_rss=$(rss $berth)
  sh -c "$prepare"
  docker_rss=$(rss $docker)
  python3 - "$BHOME/case.json" "$what $MB MB" "$berth_rss" "$docker_rss" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
berth, docker = (x["median"] * 1000 for x in r)
print(f"| {sys.argv[2]} | {berth:.0f} ms | {docker:.0f} ms | {berth/docker:.2f} | {sys.argv[3]} MB | {sys.argv[4]} MB |")
PY
done
docker rm -f holder >/dev/null
