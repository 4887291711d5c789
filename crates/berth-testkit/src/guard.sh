#!/bin/sh
# berth-testkit guard. Runs "$@" in the background until this script's stdin closes, which
# happens when the test process that started it ends, however it ends (pass, panic, kill).
# Then it stops the command (TERM, then KILL after 30 s) and runs $GUARD_CLEANUP.
"$@" >"$GUARD_LOG" 2>&1 &
pid=$!
cat >/dev/null
kill -TERM "$pid" 2>/dev/null
i=0
while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
sh -c "$GUARD_CLEANUP" >/dev/null 2>&1
