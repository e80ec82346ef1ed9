/**
 * Supervisors end to end: two of them sharing Redis publish one snapshot per interval; snapshots
 * keep coming while the private follower applies a stream of writes, and that follower never
 * stalls for long; readiness, health and metrics.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../lib/lifecycle.ts';
import type { SupervisorApp } from '../../../services/supervisor/app.ts';
import { stackEnv } from '../../support/stack-env.ts';
import { SupervisorTestContext } from './supervisor-context.ts';

let ctx: SupervisorTestContext;
afterEach(async () => {
  await ctx.dispose();
});

/** The value of one sample of a Prometheus text exposition, matched by name and labels. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text
    .split('\n')
    .find(
      (l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
    );
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

async function attempts(url: string, outcome: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return sample(text, 'cuttle_supervisor_snapshot_attempts_total', { outcome }) ?? 0;
}

describe('supervisors', () => {
  it('two supervisors sharing Redis publish exactly one snapshot per interval', async () => {
    ctx = await SupervisorTestContext.open();
    const redis = { SUPERVISOR_REDIS_URL: stackEnv.redisUrl };
    const a = await ctx.startSupervisor('sup-a', redis);
    const b = await ctx.startSupervisor('sup-b', redis);
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await ctx.appendBatch(3);
        await sleep(50);
      }
    })();
    await ctx.waitUntil('both caught up', () => a.supervisor.ready() && b.supervisor.ready());
    await sleep(4500);
    writing = false;
    await writer;
    await a.close();
    await b.close();

    const manifests = await ctx.manifests();
    const slots = manifests.map((m) => Number(m.trigger?.split(':')[2]));
    expect(manifests.every((m) => m.trigger?.startsWith('interval:1000:'))).toBe(true);
    expect(new Set(slots).size).toBe(slots.length); // never two snapshots in one interval
    expect(slots.length).toBeGreaterThanOrEqual(4);
    const seqs = manifests.map((m) => m.seq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    const tokens = manifests.map((m) => m.fencingToken ?? 0);
    expect([...tokens].sort((x, y) => x - y)).toEqual(tokens);
    console.log(
      `published ${slots.length} snapshots in slots ${slots.join(',')}; makers ${manifests.map((m) => m.makerId).join(',')}`,
    );
  });

  it('reports readiness, health and snapshot metrics over HTTP', async () => {
    ctx = await SupervisorTestContext.open();
    await ctx.appendBatch(10);
    const app = await ctx.startSupervisor('sup-http', { SUPERVISOR_INTERVAL_MS: '600000' });
    await ctx.waitUntil('ready', () => app.supervisor.ready());
    await ctx.waitUntil('first snapshot', () => app.supervisor.loop.lastOutcome === 'published');
    const ready = await fetch(`${app.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, seq: 11, state: 'following' });
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(sample(metrics, 'cuttle_supervisor_snapshot_age_seconds', {})).toBeGreaterThanOrEqual(0);
    expect(sample(metrics, 'cuttle_supervisor_snapshot_seq', {})).toBe(11);
    expect(sample(metrics, 'cuttle_supervisor_snapshot_bytes', { kind: 'compressed' })).toBeGreaterThan(0);
    expect(sample(metrics, 'cuttle_supervisor_snapshot_bytes', { kind: 'ldb' })).toBeGreaterThan(4096);
    expect(sample(metrics, 'cuttle_supervisor_snapshot_duration_seconds_count', { phase: 'total' })).toBe(1);
    expect(sample(metrics, 'cuttle_reflector_seq', {})).toBe(11);
    expect(await attempts(app.url, 'published')).toBe(1);
    expect((await fetch(`${app.url}/nope`)).status).toBe(404);
  });

  it('keeps snapshotting while the follower applies a stream of writes, and the follower never stalls', async () => {
    // The stack's S3 runs in its own process: an in-process s3rver would share our event loop.
    ctx = await SupervisorTestContext.open('stack');
    for (let i = 0; i < 120; i++) await ctx.appendBatch(100, 2000); // ~25 MB to copy each time
    const app = await ctx.startSupervisor('sup-busy', { SUPERVISOR_INTERVAL_MS: '1000' });
    await ctx.waitUntil('caught up', () => app.supervisor.ready(), 60_000);
    await ctx.waitUntil('first snapshot', () => app.supervisor.loop.lastOutcome === 'published', 60_000);
    await app.supervisor.loop.stop();
    const baseline = await measureStream(app, 3000);
    await app.supervisor.loop.start();
    const during = await measureStream(app, 8000);
    // Stopped before counting: a snapshot published between reading the counter and listing the
    // manifests would otherwise be in one and not the other.
    await app.supervisor.loop.stop();
    const published = (await attempts(app.url, 'published')) - 1;
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    const meanMs = (phase: string): number => {
      const sum = sample(metrics, 'cuttle_supervisor_snapshot_duration_seconds_sum', { phase }) ?? 0;
      const count = sample(metrics, 'cuttle_supervisor_snapshot_duration_seconds_count', { phase }) ?? 1;
      return (sum / count) * 1000;
    };
    const phases = ['copy', 'compress', 'upload', 'total'].map((p) => `${p} ${meanMs(p).toFixed(0)} ms`);
    console.log(`follower without snapshots: ${baseline.text}`);
    console.log(`follower during ${published} snapshots (mean ${phases.join(', ')}): ${during.text}`);
    expect(published).toBeGreaterThanOrEqual(3);
    const manifests = await ctx.manifests();
    expect(manifests.length).toBe(published + 1);
    const seqs = manifests.map((m) => m.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y)); // each one newer than the last
    expect(manifests[manifests.length - 1]?.size).toBeGreaterThan(20 * 1024 * 1024);
    // The follower kept applying all along (as many batches a second as without snapshots, within
    // a factor two) and no apply waited for a whole snapshot, as it would if the copy blocked it.
    // Not a latency bound: on this shared 2-core machine one GC or scheduling pause can take
    // hundreds of milliseconds; the figures are printed above.
    expect(during.batches / 8000).toBeGreaterThan(baseline.batches / 3000 / 2);
    expect(during.max).toBeLessThan(meanMs('total'));
  });
});

interface StreamFigures {
  readonly max: number;
  readonly batches: number;
  readonly text: string;
}

/**
 * Appends small batches back to back for `ms` and measures, for each, the time until the
 * supervisor's follower has applied it: a stall of the follower shows up as one long latency.
 */
async function measureStream(app: SupervisorApp, ms: number): Promise<StreamFigures> {
  const latencies: number[] = [];
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const appended = performance.now();
    const seq = await ctx.appendBatch(5);
    expect(await app.supervisor.reflector.waitForSeq(seq, 10_000)).toBe(true);
    latencies.push(performance.now() - appended);
    await sleep(2);
  }
  loopDelay.disable();
  latencies.sort((x, y) => x - y);
  const at = (q: number): string => (latencies[Math.floor((latencies.length - 1) * q)] ?? 0).toFixed(1);
  const max = latencies[latencies.length - 1] ?? 0;
  const text =
    `${latencies.length} batches, apply latency p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${max.toFixed(1)} ms; ` +
    `event-loop delay max ${(loopDelay.max / 1e6).toFixed(1)} ms`;
  return { max, batches: latencies.length, text };
}
