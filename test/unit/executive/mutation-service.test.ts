/**
 * MutationService's retry when a concurrent schema change overtakes a planned batch: the batch is
 * re-planned against the fresh schema, and the limiter is charged once for the request; and the
 * charge is given back when the request does not apply (duplicate, conflict, failure).
 */
import { describe, expect, it } from 'vitest';
import type { Ctldb } from '../../../lib/ctldb/dialect.ts';
import { CuttleError } from '../../../lib/errors.ts';
import { InProcessLedgerNotifier } from '../../../lib/ledger/notifier.ts';
import type { Catalog } from '../../../services/executive/catalog/catalog.ts';
import type { Limiter, MutationUsage } from '../../../services/executive/limits/limiter.ts';
import { createExecutiveMetrics } from '../../../services/executive/metrics.ts';
import { StaleSchemaError } from '../../../services/executive/mutations/apply.ts';
import { MutationService } from '../../../services/executive/mutations/mutation-service.ts';

const schema = {
  family: 'shop',
  table: 'prices',
  fields: [
    { name: 'sku', type: 'string' },
    { name: 'amount', type: 'integer' },
  ],
  keyFields: ['sku'],
} as const;

const APPLIED = { status: 'applied', firstSeq: 7, lastSeq: 7, committedAt: 1 } as const;

function serviceWithStaleCommits(staleCommits: number, outcome: object | Error = APPLIED) {
  const admitted: MutationUsage[] = [];
  let refunds = 0;
  const invalidated: string[] = [];
  let commits = 0;
  const limiter: Limiter = {
    admit: (usage) => {
      admitted.push(usage);
      return Promise.resolve({ refund: () => Promise.resolve(void refunds++) });
    },
    healthy: () => true,
    close: () => Promise.resolve(),
  };
  // Only what MutationService calls: require() and invalidate().
  const catalog = {
    require: () => Promise.resolve({ schema, version: 1 }),
    invalidate: (_family: string, table: string) => void invalidated.push(table),
  } as unknown as Catalog;
  // The transaction fails as applyBatch does when a table's version moved on, then commits.
  const ctldb = {
    transaction: () => {
      commits++;
      if (commits <= staleCommits) return Promise.reject(new StaleSchemaError(['prices']));
      return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
    },
  } as unknown as Ctldb;
  const service = new MutationService({
    ctldb,
    catalog,
    limiter,
    notifier: new InProcessLedgerNotifier(),
    metrics: createExecutiveMetrics({ defaultMetrics: false }),
    limits: { maxBatchMutations: 100, maxValueBytes: 1024, maxRowBytes: 4096 },
  });
  const body = { mutations: [{ table: 'prices', op: 'upsert', values: { sku: 'a', amount: 1 } }] };
  return { service, body, admitted, invalidated, commits: () => commits, refunds: () => refunds };
}

describe('MutationService', () => {
  it('re-plans after a concurrent schema change and charges the limiter once', async () => {
    const { service, body, admitted, invalidated, commits, refunds } = serviceWithStaleCommits(2);
    expect(await service.mutate('w', 'shop', body)).toEqual({
      status: 'applied',
      firstSeq: 7,
      lastSeq: 7,
      committedAt: 1,
    });
    expect(commits()).toBe(3);
    expect(invalidated).toEqual(['prices', 'prices']);
    expect(admitted).toHaveLength(1);
    expect(admitted[0]).toMatchObject({ writer: 'w', family: 'shop' });
    expect(refunds()).toBe(0);
  });

  it('gives the charge back when the request is a duplicate of one already committed', async () => {
    const { service, body, admitted, refunds } = serviceWithStaleCommits(0, { status: 'duplicate' });
    expect(await service.mutate('w', 'shop', body)).toEqual({ status: 'duplicate' });
    expect(admitted).toHaveLength(1);
    expect(refunds()).toBe(1);
  });

  it('gives the charge back when the offsets conflict, and still answers with the conflict', async () => {
    const conflict = new CuttleError('OFFSET_CONFLICT', 'stored offset differs', { details: { stored: {} } });
    const { service, body, refunds } = serviceWithStaleCommits(1, conflict);
    await expect(service.mutate('w', 'shop', body)).rejects.toBe(conflict);
    expect(refunds()).toBe(1);
  });

  it('gives up with a retriable UNAVAILABLE when the schema keeps changing', async () => {
    const { service, body, admitted, refunds } = serviceWithStaleCommits(100);
    await expect(service.mutate('w', 'shop', body)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      retriable: true,
    });
    expect(admitted).toHaveLength(1);
    expect(refunds()).toBe(1);
  });
});
