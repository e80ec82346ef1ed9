#!/usr/bin/env bash
# npm test — static checks (types, lint, format), bring the stack up (a no-op when it already
# runs), then run both vitest projects. Exits non-zero on the first failing step.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
step() { printf '\n=== %s\n' "$*"; }

step "static checks: tsc, eslint, prettier"
npx tsc --noEmit -p . || exit 1
npx tsc --noEmit -p services/executive/ui/browser || exit 1
npx eslint . || exit 1
npx prettier --check . --log-level warn || exit 1

step "stack:up"
if ! bash stack/up.sh; then
  echo "stack:up failed: the integration tests cannot run (see the lines above and .stack/logs/)" >&2
  exit 1
fi

step "vitest: unit and integration projects"
report=$(mktemp)
npx vitest run --reporter=default --reporter=json --outputFile="$report"
status=$?
# One plain closing line, "N passed, N failed", for anything that reads the end of the log.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
' "$report" 2>/dev/null
rm -f "$report"
exit "$status"
