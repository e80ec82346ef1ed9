/**
 * Whether a request may grow a table, judged before anything is written from the usage the
 * mutation path reports (counts of upserts and deletes, bytes of the upserted rows). A table over
 * its hard quota refuses only requests that may grow it; ctlstore refused every request touching a
 * full table, deletes included, so a full table could not even be cleaned up.
 *
 * The rules, in order:
 * 1. The mutation path told us the net growth (`netGrowthBytes`): it grows iff that is positive.
 * 2. No upserts: only deletes, which never grow a table.
 * 3. At least as many deletes as upserts, and the upserts' estimated LDB bytes fit in what the
 *    deletes free at the table's average row size: a batch that replaces rows (e.g. a key change
 *    arriving as delete + insert) does not grow the table.
 * 4. Otherwise it may grow. An upsert-only batch cannot be told apart from inserts: an update of an
 *    existing row is treated as growth unless the mutation path passes `netGrowthBytes`.
 *
 * Whatever the judgement, admitted upserts add their estimated LDB bytes to the table's growth
 * counter (a delete subtracts nothing: the rows it names may not exist), so between two
 * measurements the quota errs on the safe side; each measurement resets the counter.
 */
import { DEFAULT_COLUMNS, estimateLdbBytes } from './ldb-estimate.ts';
import type { TableUsage } from './limiter.ts';

export interface MeasuredShape {
  readonly rows: number;
  readonly ldbBytes: number;
  readonly columns: number;
}

export interface GrowthJudgement {
  readonly grows: boolean;
  /** Estimated LDB bytes to add to the growth counter once admitted. */
  readonly addBytes: number;
}

export function judgeGrowth(usage: TableUsage, measured: MeasuredShape | undefined): GrowthJudgement {
  const columns = measured?.columns ?? DEFAULT_COLUMNS;
  if (usage.netGrowthBytes !== undefined) {
    const net = Math.max(0, usage.netGrowthBytes);
    return {
      grows: usage.netGrowthBytes > 0,
      addBytes:
        net === 0 ? 0 : estimateLdbBytes({ rows: Math.max(1, usage.upserts), dataBytes: net, columns }),
    };
  }
  if (usage.upserts === 0) return { grows: false, addBytes: 0 };
  const addBytes = estimateLdbBytes({ rows: usage.upserts, dataBytes: usage.upsertBytes, columns });
  const averageRow = measured !== undefined && measured.rows > 0 ? measured.ldbBytes / measured.rows : 0;
  const replaces = usage.deletes >= usage.upserts && addBytes <= usage.deletes * averageRow;
  return { grows: !replaces, addBytes };
}
