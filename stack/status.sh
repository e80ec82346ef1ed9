#!/usr/bin/env bash
# npm run stack:status — one line per component: name, address, up/down, who runs it, details.
# Exits non-zero when any component is down.
set -uo pipefail
. "$(dirname "$0")/lib/env.sh"
. "$STACK_ROOT/stack/lib/process.sh"

output=$(probe "$@")
status=$?
while IFS=$'\t' read -r name address state detail; do
  if pid=$(owned_pid "$name"); then
    owner="ours, pid $pid"
  elif [[ $state == up ]]; then
    owner="not started by these scripts"
  else
    owner="-"
  fi
  printf '%-9s %-42s %-5s %-30s %s\n' "$name" "$address" "$state" "$owner" "$detail"
done <<<"$output"
exit "$status"
