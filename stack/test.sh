#!/usr/bin/env bash
# npm test — bring the stack up (a no-op when it already runs), then run both vitest projects.
# Exits with vitest's status.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
if ! bash stack/up.sh; then
  echo "stack:up failed: the integration tests cannot run (see the lines above and .stack/logs/)" >&2
  exit 1
fi
npx vitest run
