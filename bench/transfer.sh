#!/usr/bin/env bash
# Push and pull of a 100 MB image (one incompressible layer) through a local registry:
# `berth` against `docker`, side by side in one hyperfine run each. Before every push the
# registry starts empty; before every pull the image is gone locally.
source "$(dirname "$0")/lib.sh"
build_release
MB=${MB:-100}
bench_home
b engine start >/dev/null
export DOCKER_HOST="unix://$BHOME/run/berth/docker.sock" DOCKER_CONFIG="$BHOME/.docker" DOCKER_BUILDKIT=0
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
reg="127.0.0.1:$port"
cat > "$BHOME/registry.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $BHOME/registry
http:
  addr: $reg
YML
# Restarts the registry with empty storage and waits until it answers.
cat > "$BHOME/reset-registry" <<SH
#!/bin/sh
pkill -f "docker-registry serve $BHOME/registry.yml" 2>/dev/null
while pgrep -f "docker-registry serve $BHOME/registry.yml" >/dev/null; do sleep 0.05; done
rm -rf "$BHOME/registry"
docker-registry serve "$BHOME/registry.yml" >/dev/null 2>&1 &
until curl -sf "http://$reg/v2/" >/dev/null; do sleep 0.05; done
SH
chmod +x "$BHOME/reset-registry"
trap 'pkill -f "docker-registry serve $BHOME/registry.yml"; bench_cleanup' EXIT
"$BHOME/reset-registry"

ctx="$BHOME/ctx"; mkdir -p "$ctx"
head -c "$((MB * 1024 * 1024))" /dev/urandom > "$ctx/blob"
printf 'FROM scratch\nCOPY blob /blob\n' > "$ctx/Dockerfile"
docker build -q -t "$reg/bench/blob:1" "$ctx" >/dev/null 2>&1
id=$(docker image inspect -f '{{.Id}}' "$reg/bench/blob:1")
# Pushes and pulls; `docker save` keeps the image so it can be loaded back between runs.
docker save -o "$BHOME/blob.tar" "$reg/bench/blob:1"
cat > "$BHOME/restore-image" <<SH
#!/bin/sh
docker image inspect "$reg/bench/blob:1" >/dev/null 2>&1 || docker load -q -i "$BHOME/blob.tar" >/dev/null
SH
cat > "$BHOME/drop-image" <<SH
#!/bin/sh
docker rmi -f "$id" >/dev/null 2>&1; true
SH
chmod +x "$BHOME/restore-image" "$BHOME/drop-image"

runs=${HF_RUNS:-5}
hyperfine --runs "$runs" --export-json "$BHOME/push.json" -N \
  --prepare "sh -c '$BHOME/restore-image && $BHOME/reset-registry'" \
  "$BERTH -H $DOCKER_HOST push $reg/bench/blob:1" "docker push $reg/bench/blob:1" >/dev/null
"$BHOME/restore-image"; docker push -q "$reg/bench/blob:1" >/dev/null
hyperfine --runs "$runs" --export-json "$BHOME/pull.json" -N \
  --prepare "$BHOME/drop-image" \
  "$BERTH -H $DOCKER_HOST pull $reg/bench/blob:1" "docker pull $reg/bench/blob:1" >/dev/null
python3 - "$BHOME/push.json" "$BHOME/pull.json" "$MB" <<'PY'
import json, sys
for path, what in ((sys.argv[1], "push"), (sys.argv[2], "pull")):
    r = json.load(open(path))["results"]
    berth, docker = (x["median"] * 1000 for x in r)
    print(f"| {what} {sys.argv[3]} MB | {berth:.0f} ms | {docker:.0f} ms | {berth/docker:.2f} |")
PY
