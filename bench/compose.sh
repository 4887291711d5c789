#!/usr/bin/env bash
# `compose up -d` and `compose down` of a 20-service project with local images: Berth, Debian's
# docker-compose 1.29, and the API floor (examples/api_floor: only the needed engine calls, all
# containers in parallel), side by side by hyperfine in one run on the same engine.
source "$(dirname "$0")/lib.sh"
build_release
(cd "$ROOT" && cargo build --release -q -p berth-compose --example api_floor)
FLOOR="$ROOT/target/release/examples/api_floor"
N=${N:-20}
RUNS=${HF_RUNS:-10}
bench_home
bench_engine_with_busybox
dir="$BHOME/project"
mkdir -p "$dir"
{
  echo "services:"
  for i in $(seq "$N"); do
    # SIGKILL as the stop signal: `sleep` as PID 1 ignores SIGTERM, and every tool would
    # otherwise wait out the 10 s stop timeout.
    printf '  s%s:\n    image: berth-bench/busybox\n    stop_signal: SIGKILL\n' "$i"
  done
} > "$dir/compose.yaml"
export COMPOSE_FILE="$dir/compose.yaml"
berth_c="$BERTH -H $DOCKER_HOST compose -f $dir/compose.yaml -p bb"
dc="docker-compose -f $dir/compose.yaml -p bd"
floor="$FLOOR $DOCKER_HOST bf $N berth-bench/busybox"
# Each `up` starts from nothing (the same tool's down first); each `down` from a running project.
hyperfine --runs "$RUNS" --export-json "$BHOME/up.json" \
  --prepare "$berth_c down >/dev/null 2>&1 || true" --prepare "$dc down >/dev/null 2>&1 || true" \
  --prepare "$floor down >/dev/null 2>&1 || true" \
  "$berth_c up -d" "$dc up -d" "$floor up" >/dev/null
running=$(docker ps -q | wc -l)
[[ "$running" -eq $((3 * N)) ]] || { echo "expected $((3 * N)) running containers, found $running" >&2; exit 1; }
hyperfine --runs "$RUNS" --export-json "$BHOME/down.json" \
  --prepare "$berth_c up -d >/dev/null" --prepare "$dc up -d >/dev/null 2>&1" \
  --prepare "$floor down >/dev/null 2>&1; $floor up >/dev/null 2>&1" \
  "$berth_c down" "$dc down" "$floor down" >/dev/null
left=$(docker ps -aq | wc -l)
[[ "$left" -eq 0 ]] || { echo "expected no containers after down, found $left" >&2; exit 1; }
python3 - "$BHOME/up.json" "$BHOME/down.json" "$N" <<'PY'
import json, sys
for path, what in ((sys.argv[1], "up -d"), (sys.argv[2], "down")):
    berth, dc, floor = (x["median"] * 1000 for x in json.load(open(path))["results"])
    print(f"| {what}, {sys.argv[3]} services | {berth:.0f} ms | {dc:.0f} ms | {floor:.0f} ms "
          f"| {berth/dc:.2f} | {berth/floor:.2f} |")
PY
