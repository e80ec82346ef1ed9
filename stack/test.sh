#!/usr/bin/env bash
# npm test — static checks (types, lint, format), bring the stack up (a no-op when it already
# runs), then run both vitest projects. Exits non-zero on the first failing step.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
step() { printf '\n=== %s\n' "$*"; }

step "static checks: tsc, eslint, prettier"
npx tsc --noEmit -p . || exit 1
npx eslint . || exit 1
npx prettier --check . --log-level warn || exit 1

step "stack:up"
if ! bash stack/up.sh; then
  echo "stack:up failed: the integration tests cannot run (see the lines above and .stack/logs/)" >&2
  exit 1
fi

step "vitest: unit and integration projects"
npx vitest run
