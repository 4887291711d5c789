#!/usr/bin/env bash
# Runs every benchmark and prints their Markdown tables (paste them into docs/benchmarks.md).
# Needs root (private engines, a user for the rootless engine). Not part of the test run.
set -euo pipefail
cd "$(dirname "$0")"
echo "## Engine start"; echo
bash engine-start.sh
echo; echo "## berth ps -a vs docker ps -a"; echo
echo "| case | berth (median) | docker (median) | ratio |"
echo "|---|---|---|---|"
bash ps.sh
echo; echo "## berth logs vs docker logs"; echo
echo "| case | berth (median) | docker (median) | ratio |"
echo "|---|---|---|---|"
bash logs.sh
echo; echo "## CPU to follow stats"; echo
echo "| case | berth (% of one core) | docker | ratio |"
echo "|---|---|---|---|"
bash stats.sh
echo; echo "## push and pull of 100 MB"; echo
echo "| case | berth (median) | docker (median) | ratio |"
echo "|---|---|---|---|"
bash transfer.sh
echo; echo "## cp, save and load of 1 GB"; echo
echo "| case | berth (median) | docker (median) | ratio | berth max RSS | docker max RSS |"
echo "|---|---|---|---|---|---|"
bash archive.sh
echo; echo "## compose up -d and down, 20 services"; echo
echo "| case | berth (median) | docker-compose 1.29 (median) | API floor (median) | ratio to docker-compose | ratio to floor |"
echo "|---|---|---|---|---|---|"
bash compose.sh
echo; echo "## The desktop app"; echo
echo "| measure | Berth | target |"
echo "|---|---|---|"
bash app.sh
echo; echo "## Installed size"; echo
echo "| measure | Berth | Debian's engine (docker.io, containerd, runc) | ratio |"
echo "|---|---|---|---|"
bash package.sh
