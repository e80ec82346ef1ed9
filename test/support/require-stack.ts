/**
 * Global setup of the integration project: every component of the real stack must answer a real
 * call within a few seconds, or the run fails here, naming each missing service, its address and
 * how to start it. No integration test is ever skipped for lack of a service.
 */
import { componentNames } from '../../stack/probe/components.ts';
import { probe, type ProbeResult } from '../../stack/probe/probes.ts';

function explain(missing: readonly ProbeResult[]): string {
  const lines = missing.map((r) => `  - ${r.title} (${r.name}) at ${r.address} [${r.variable}]: ${r.detail}`);
  return [
    `The integration tests need the real stack, and ${missing.length} component(s) did not answer:`,
    ...lines,
    'Start it with `npm run stack:up` (see `npm run stack:status`), or point the variable named',
    'in brackets at a running service.',
  ].join('\n');
}

export default async function requireStack(): Promise<void> {
  // The AWS SDK's notice that releases after January 2027 need Node 22 would otherwise repeat in
  // every test worker (the SDK version is pinned in package-lock.json); workers inherit this.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const results = await Promise.all(componentNames.map((name) => probe(name, { timeoutMs: 5_000 })));
  const missing = results.filter((r) => !r.up);
  if (missing.length > 0) throw new Error(explain(missing));
}
