#!/usr/bin/env bash
# CPU used to follow the stats of 50 running containers at about 1 Hz for 30 s: `berth stats`
# against `docker stats`, in one run, as a share of one core (user + system time from /proc).
source "$(dirname "$0")/lib.sh"
build_release
N=${N:-50}
SECS=${SECS:-30}
bench_home
bench_engine_with_busybox
for i in $(seq "$N"); do echo "stats-$i"; done | xargs -P 4 -I{} docker run -d -q --name {} berth-bench/busybox >/dev/null
[[ $(docker ps -q | wc -l) -eq $N ]] || { echo "expected $N running containers" >&2; exit 1; }
ticks=$(getconf CLK_TCK)

# CPU seconds (user + system) a command uses while running for SECS seconds.
cpu_of() {
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "$SECS"
  local t; t=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  awk -v t="$t" -v hz="$ticks" -v s="$SECS" 'BEGIN { printf "%.2f", t / hz / s * 100 }'
}
berth=$(cpu_of "$BERTH" -H "$DOCKER_HOST" stats)
docker=$(cpu_of docker stats)
echo "| stats of $N containers, ${SECS} s | ${berth}% | ${docker}% | $(awk -v a="$berth" -v b="$docker" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') |"
