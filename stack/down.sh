#!/usr/bin/env bash
# npm run stack:down — stop what stack:up started (pid files in .stack/run), nothing else.
# Data stays in .stack/ for the next stack:up; delete the folder for a clean slate.
set -euo pipefail
. "$(dirname "$0")/lib/env.sh"
. "$STACK_ROOT/stack/lib/process.sh"

mkdir -p "$RUN_DIR"
exec 9>"$RUN_DIR/up.lock"
flock -w 900 9 || die "a stack:up is still running"

# Connect first (it would log errors while Kafka goes away), then the rest together.
stop_owned connect 20
for name in kafka registry s3 origin redis mysql; do
  stop_owned "$name" 60 &
done
wait
log "stopped everything these scripts had started"
