/** Status records for the tests of lib/status: healthy by default, changed per test. */
import type { StatusRecord } from '../../lib/status/record.ts';
import type { ProcessState, SeenProcess } from '../../lib/status/store.ts';

export const NOW = Date.parse('2026-01-01T12:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

const base = (id: string) => ({
  id,
  host: 'h1',
  pid: 100,
  version: '0.1.0',
  startedAt: iso(NOW - 60_000),
  publishedAt: iso(NOW - 1000),
  ttlMs: 6000,
  ready: true,
  reason: null,
});

export const executive = (id = 'ex-1'): Extract<StatusRecord, { role: 'executive' }> => ({
  ...base(id),
  role: 'executive',
  figures: { url: 'http://127.0.0.1:7070', requestsPerSecond: 3.5, limiterMode: 'redis' },
});

export const reflector = (id = 'rf-1'): Extract<StatusRecord, { role: 'reflector' }> => ({
  ...base(id),
  role: 'reflector',
  figures: {
    state: 'following',
    ldbSeq: 10,
    ledgerHead: 10,
    lagEntries: 0,
    lagMs: 0,
    stalenessSeconds: 2,
    maxStalenessSeconds: 60,
  },
});

export const loader = (id = 'ld-1'): Extract<StatusRecord, { role: 'loader' }> => ({
  ...base(id),
  role: 'loader',
  figures: {
    partitions: [
      { source: 's1', topic: 't1', partition: 0, lag: 0, oldestUnappliedAgeMs: null, halted: null },
    ],
    deadLetters: 0,
  },
});

export const supervisor = (id = 'sv-1'): Extract<StatusRecord, { role: 'supervisor' }> => ({
  ...base(id),
  role: 'supervisor',
  figures: {
    ldbSeq: 10,
    snapshotSeq: 9,
    snapshotAgeMs: 30_000,
    snapshotBytes: 4096,
    snapshotCompressedBytes: 1024,
    intervalMs: 300_000,
    lastOutcome: 'published',
  },
});

export function seen(record: StatusRecord, state: ProcessState = 'live'): SeenProcess {
  return { state, record, stoppedAt: state === 'stopped' ? NOW - 5000 : null };
}

export const healthyFleet = (): SeenProcess[] =>
  [executive(), loader(), reflector(), supervisor()].map((r) => seen(r));
