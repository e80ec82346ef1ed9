import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../lib/logging.ts';
import { readFleet } from '../../../lib/status/fleet.ts';
import { StatusPublisher } from '../../../lib/status/publisher.ts';
import type { RoleReport } from '../../../lib/status/record.ts';
import { InProcessStatusStore } from '../../../lib/status/store.ts';
import { executive, NOW, reflector } from '../../support/status-records.ts';

const MINUTE = 60_000;

describe('in-process status store', () => {
  it('shows a record live until its TTL lapses, then gone, then forgets it after the retention', async () => {
    let now = NOW;
    const store = new InProcessStatusStore(() => now);
    await store.put(executive());
    expect((await store.list(10 * MINUTE, now)).map((p) => p.state)).toEqual(['live']);
    now += 5999;
    expect((await store.list(10 * MINUTE, now)).map((p) => p.state)).toEqual(['live']);
    now += 1;
    expect((await store.list(10 * MINUTE, now)).map((p) => p.state)).toEqual(['gone']);
    // Published at NOW - 1000: forgotten once that is more than 10 minutes ago.
    now = NOW - 1000 + 10 * MINUTE + 1;
    expect(await store.list(10 * MINUTE, now)).toEqual([]);
  });

  it('shows a removed record as stopped, with the time of the stop', async () => {
    const store = new InProcessStatusStore(() => NOW);
    await store.put(reflector());
    await store.remove(reflector(), NOW + 10);
    expect(await store.list(MINUTE, NOW)).toEqual([
      { state: 'stopped', record: reflector(), stoppedAt: NOW + 10 },
    ]);
  });
});

describe('status publisher', () => {
  const report = (): RoleReport => ({
    role: 'executive',
    ready: false,
    reason: 'ctldb is not reachable',
    figures: { url: null, requestsPerSecond: 0, limiterMode: 'off' },
  });

  it('publishes at start with identity, version and TTL, and removes the record on stop', async () => {
    const store = new InProcessStatusStore();
    const publisher = new StatusPublisher(
      { sink: store, report, log: silentLogger() },
      { intervalMs: 1000, id: 'ex-test' },
    );
    await publisher.start();
    await expect.poll(async () => (await store.list(MINUTE, Date.now())).length).toBe(1);
    const [live] = await store.list(MINUTE, Date.now());
    expect(live?.state).toBe('live');
    expect(live?.record).toMatchObject({
      id: 'ex-test',
      role: 'executive',
      pid: process.pid,
      version: '0.1.0',
      ttlMs: 3000,
      ready: false,
      reason: 'ctldb is not reachable',
    });
    await publisher.stop();
    const [stopped] = await store.list(MINUTE, Date.now());
    expect(stopped?.state).toBe('stopped');
  });

  it('keeps publishing after a failing write', async () => {
    const store = new InProcessStatusStore();
    let failures = 1;
    const sink = {
      put: (record: Parameters<InProcessStatusStore['put']>[0]) =>
        failures-- > 0 ? Promise.reject(new Error('redis down')) : store.put(record),
      remove: store.remove.bind(store),
    };
    const publisher = new StatusPublisher({ sink, report, log: silentLogger() }, { intervalMs: 100 });
    await publisher.start();
    await expect.poll(async () => (await store.list(MINUTE, Date.now())).length).toBe(1);
    await publisher.stop();
  });
});

describe('fleet view', () => {
  it('orders processes by role then id and carries the summary', async () => {
    const store = new InProcessStatusStore(() => NOW);
    await store.put(reflector('rf-b'));
    await store.put(reflector('rf-a'));
    await store.put(executive());
    const fleet = await readFleet(store, { now: NOW });
    expect(fleet.processes.map((p) => `${p.record.role}:${p.record.id}`)).toEqual([
      'executive:ex-1',
      'reflector:rf-a',
      'reflector:rf-b',
    ]);
    expect(fleet.summary.status).toBe('healthy');
    expect(fleet.processes[0]?.lastSeenAt).toBe(new Date(NOW - 1000).toISOString());
  });
});

describe('status publisher ids', () => {
  it('gives further publishers of one role in this process distinct default ids', async () => {
    const store = new InProcessStatusStore();
    const report = (): RoleReport => ({
      role: 'supervisor',
      ready: true,
      reason: null,
      figures: {
        ldbSeq: 0,
        snapshotSeq: null,
        snapshotAgeMs: null,
        snapshotBytes: null,
        snapshotCompressedBytes: null,
        intervalMs: 1000,
        lastOutcome: 'idle',
      },
    });
    const a = new StatusPublisher({ sink: store, report, log: silentLogger() });
    const b = new StatusPublisher({ sink: store, report, log: silentLogger() });
    const [first, second] = [await a.record(), await b.record()];
    expect(first.id).toMatch(new RegExp(`:${process.pid}$`));
    expect(second.id).toBe(`${first.id}/2`);
    expect((await a.record()).id).toBe(first.id);
  });
});
