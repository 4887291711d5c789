#!/usr/bin/env bash
# `berth logs` against `docker logs` of one container that wrote 1,000,000 lines, side by side
# in one hyperfine run, output discarded.
source "$(dirname "$0")/lib.sh"
build_release
LINES=${LINES:-1000000}
bench_home
bench_engine_with_busybox
c=$(docker run -d berth-bench/busybox /bin/busybox seq 1 "$LINES")
docker wait "$c" >/dev/null
[[ $(docker logs "$c" | wc -l) -eq $LINES ]] || { echo "the container did not write $LINES lines" >&2; exit 1; }
[[ $("$BERTH" -H "$DOCKER_HOST" logs "$c" | wc -l) -eq $LINES ]] || { echo "berth logs lost lines" >&2; exit 1; }
hyperfine --warmup 1 --runs "${HF_RUNS:-10}" --export-json "$BHOME/logs.json" -N \
  "$BERTH -H $DOCKER_HOST logs $c" "docker logs $c" >/dev/null
python3 - "$BHOME/logs.json" "$LINES" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
berth, docker = (x["median"] * 1000 for x in r)
print(f"| logs, {int(sys.argv[2]):,} lines | {berth:.0f} ms | {docker:.0f} ms | {berth/docker:.2f} |")
PY
