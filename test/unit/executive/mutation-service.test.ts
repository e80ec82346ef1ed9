/**
 * MutationService's retry when a concurrent schema change overtakes a planned batch: the batch is
 * re-planned against the fresh schema, and the limiter is charged once for the request.
 */
import { describe, expect, it } from 'vitest';
import type { Ctldb } from '../../../lib/ctldb/dialect.ts';
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

function serviceWithStaleCommits(staleCommits: number) {
  const admitted: MutationUsage[] = [];
  const invalidated: string[] = [];
  let commits = 0;
  const limiter: Limiter = {
    admit: (usage) => Promise.resolve(void admitted.push(usage)),
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
      return Promise.resolve({ status: 'applied', firstSeq: 7, lastSeq: 7, committedAt: 1 });
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
  return { service, body, admitted, invalidated, commits: () => commits };
}

describe('MutationService', () => {
  it('re-plans after a concurrent schema change and charges the limiter once', async () => {
    const { service, body, admitted, invalidated, commits } = serviceWithStaleCommits(2);
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
  });

  it('gives up with a retriable UNAVAILABLE when the schema keeps changing', async () => {
    const { service, body, admitted } = serviceWithStaleCommits(100);
    await expect(service.mutate('w', 'shop', body)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      retriable: true,
    });
    expect(admitted).toHaveLength(1);
  });
});
