#!/usr/bin/env bash
# `berth ps -a` against `docker ps -a` on the same engine holding 1,000 created containers,
# measured side by side by hyperfine in one run.
source "$(dirname "$0")/lib.sh"
build_release
N=${N:-1000}
bench_home
bench_engine_with_busybox
for i in $(seq "$N"); do echo "bench-$i"; done | xargs -P 4 -I{} docker create -q --name {} berth-bench/busybox >/dev/null
count=$(docker ps -aq | wc -l)
[[ "$count" -eq "$N" ]] || { echo "expected $N containers, found $count" >&2; exit 1; }
hyperfine --warmup 3 --runs "${HF_RUNS:-30}" --export-json "$BHOME/ps.json" -N \
  "$BERTH -H $DOCKER_HOST ps -a" "docker ps -a" >/dev/null
python3 - "$BHOME/ps.json" "$N" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
berth, docker = (x["median"] * 1000 for x in r)
print(f"| ps -a, {sys.argv[2]} containers | {berth:.1f} ms | {docker:.1f} ms | {berth/docker:.2f} |")
PY
