/**
 * Chaos invariant "dead-letter counts are zero" (and "ctldb equals the origin"), broken by the
 * first chaos runs: after an origin ADD COLUMN, one loader added the field through executive-1
 * while the other loader's batches went to executive-2, whose cached schema predated the field.
 * Planning against that cache refused the new field (400 UNKNOWN_FIELD) before the transaction's
 * version check could notice the stale schema, so the loader dead-lettered the event and halted.
 * The executive now re-reads the schema once before calling a field unknown.
 */
import { describe, expect, it } from 'vitest';
import type { Ctldb } from '../../../lib/ctldb/dialect.ts';
import { CuttleError } from '../../../lib/errors.ts';
import { InProcessLedgerNotifier } from '../../../lib/ledger/notifier.ts';
import type { TableSchema } from '../../../lib/schema/types.ts';
import type { Catalog } from '../../../services/executive/catalog/catalog.ts';
import type { Limiter } from '../../../services/executive/limits/limiter.ts';
import { createExecutiveMetrics } from '../../../services/executive/metrics.ts';
import { MutationService } from '../../../services/executive/mutations/mutation-service.ts';

const before: TableSchema = {
  family: 'fleet',
  table: 'items',
  fields: [
    { name: 'id', type: 'integer' },
    { name: 'name', type: 'string' },
  ],
  keyFields: ['id'],
};
const after: TableSchema = { ...before, fields: [...before.fields, { name: 'x_added', type: 'string' }] };

/** A catalog whose cache holds `before` until invalidated; ctldb already holds `after`. */
function serviceWithStaleCache() {
  let cached: TableSchema | undefined = before;
  let reads = 0;
  const catalog = {
    require: () => {
      reads++;
      return Promise.resolve({ schema: cached ?? after, version: cached === undefined ? 2 : 1 });
    },
    invalidate: () => void (cached = undefined),
  } as unknown as Catalog;
  const limiter: Limiter = {
    admit: () => Promise.resolve({ refund: () => Promise.resolve() }),
    healthy: () => true,
    close: () => Promise.resolve(),
  };
  const ctldb = {
    transaction: () => Promise.resolve({ status: 'applied', firstSeq: 5, lastSeq: 5, committedAt: 1 }),
  } as unknown as Ctldb;
  const service = new MutationService({
    ctldb,
    catalog,
    limiter,
    notifier: new InProcessLedgerNotifier(),
    metrics: createExecutiveMetrics({ defaultMetrics: false }),
    limits: { maxBatchMutations: 100, maxValueBytes: 1024, maxRowBytes: 4096 },
  });
  return { service, reads: () => reads };
}

const upsert = (values: Record<string, unknown>) => ({
  mutations: [{ table: 'items', op: 'upsert', values }],
});

describe('invariant: dead letters stay at zero when another executive added a field', () => {
  it('applies a mutation naming a field this executive has not cached yet', async () => {
    const { service, reads } = serviceWithStaleCache();
    const result = await service.mutate('loader', 'fleet', upsert({ id: 1, name: 'a', x_added: 'new' }));
    expect(result).toMatchObject({ status: 'applied', lastSeq: 5 });
    expect(reads()).toBe(2);
  });

  it('still refuses a field that ctldb does not have either, after one fresh read', async () => {
    const { service, reads } = serviceWithStaleCache();
    const error = await service
      .mutate('loader', 'fleet', upsert({ id: 1, nope: 'x' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CuttleError);
    expect((error as CuttleError).code).toBe('UNKNOWN_FIELD');
    expect(reads()).toBe(2);
  });
});
