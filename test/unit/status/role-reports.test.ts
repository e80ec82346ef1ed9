import { describe, expect, it } from 'vitest';
import type { FollowerStatus } from '../../../lib/ldb/follower.ts';
import type { Loader } from '../../../services/loader/loader.ts';
import type { PartitionStatus } from '../../../services/loader/pipeline/partition-worker.ts';
import { loaderReport } from '../../../services/loader/status-report.ts';
import { reflectorReport } from '../../../services/reflector/status-report.ts';

const following: FollowerStatus = {
  state: 'following',
  seq: 7,
  headSeq: 10,
  lastPollAt: 0,
  stalenessSeconds: 2.5,
  caughtUp: false,
  error: null,
};

describe('reflector report', () => {
  it('reports lag in entries and ms behind the head, and why it is not ready', () => {
    expect(reflectorReport(() => following, 60)()).toEqual({
      role: 'reflector',
      ready: false,
      reason: 'behind the ledger: seq 7 of 10',
      figures: {
        state: 'following',
        ldbSeq: 7,
        ledgerHead: 10,
        lagEntries: 3,
        lagMs: 2500,
        stalenessSeconds: 2.5,
        maxStalenessSeconds: 60,
      },
    });
  });

  it('reports no lag at the head, and nulls before the first poll or the first entry', () => {
    const atHead = reflectorReport(() => ({ ...following, seq: 10, caughtUp: true }), 60)();
    expect(atHead).toMatchObject({ ready: true, reason: null, figures: { lagEntries: 0, lagMs: 0 } });
    const fresh = { ...following, seq: 0, headSeq: null, stalenessSeconds: Infinity };
    expect(reflectorReport(() => fresh, 60)()).toMatchObject({
      reason: 'ledger not read yet',
      figures: { ledgerHead: null, lagEntries: null, lagMs: null, stalenessSeconds: null },
    });
  });

  it('names a stopped follower and its error', () => {
    const failed = {
      ...following,
      state: 'failed' as const,
      error: { code: 'LEDGER_GAP', message: 'gap at 8' },
    };
    expect(reflectorReport(() => failed, 60)().reason).toBe('follower stopped: gap at 8');
  });
});

function fakeLoader(statuses: PartitionStatus[], letters: () => Promise<unknown[]>, ready = true): Loader {
  return {
    statuses,
    ready: () => ready,
    deadLetters: { list: letters },
  } as unknown as Loader;
}

const partition = (overrides: Partial<PartitionStatus> = {}): PartitionStatus => ({
  topic: 'shop.widgets',
  partition: 0,
  source: 'shop',
  committedNext: '40',
  highWatermark: '42',
  halted: null,
  waiting: null,
  waitingFor: null,
  oldestUnappliedAgeMs: 1_500,
  ...overrides,
});

describe('loader report', () => {
  it('reports Kafka lag per partition, halted partitions and the dead letters waiting', async () => {
    const halted = { code: 'POISON', reason: 'bad row', offset: '12' };
    const loader = fakeLoader([partition(), partition({ partition: 1, highWatermark: null, halted })], () =>
      Promise.resolve([{}, {}]),
    );
    expect(await loaderReport(loader)()).toEqual({
      role: 'loader',
      ready: true,
      reason: null,
      figures: {
        deadLetters: 2,
        partitions: [
          {
            source: 'shop',
            topic: 'shop.widgets',
            partition: 0,
            lag: 2,
            oldestUnappliedAgeMs: 1_500,
            halted: null,
          },
          {
            source: 'shop',
            topic: 'shop.widgets',
            partition: 1,
            lag: null,
            oldestUnappliedAgeMs: 1_500,
            halted: 'POISON: bad row',
          },
        ],
      },
    });
  });

  it('lists the dead-letter queue at most every 10 s, and reports null when it cannot', async () => {
    let now = 0;
    let lists = 0;
    const loader = fakeLoader([], () =>
      ++lists === 1 ? Promise.reject(new Error('redis down')) : Promise.resolve([{}]),
    );
    const report = loaderReport(loader, () => now);
    expect((await report()).figures).toMatchObject({ deadLetters: null });
    now = 9_999;
    expect((await report()).figures).toMatchObject({ deadLetters: null });
    now = 10_000;
    expect((await report()).figures).toMatchObject({ deadLetters: 1 });
    expect(lists).toBe(2);
  });

  it('says which partition keeps it from being ready', async () => {
    const retrying = partition({ waitingFor: 'retry', waiting: 'executive unreachable' });
    const report = await loaderReport(fakeLoader([retrying], () => Promise.resolve([]), false))();
    expect(report).toMatchObject({ ready: false, reason: 'shop.widgets/0 retrying: executive unreachable' });
  });
});
