/**
 * The body of the one ctldb transaction of a mutation request. Order matters:
 *
 * 1. Lock the writer's row and its offset rows (FOR UPDATE) and decide: duplicate, conflict or
 *    apply (offsets.ts). A duplicate or conflict writes nothing.
 * 2. Re-read the catalog versions of the touched tables under shared locks: a concurrent schema
 *    change (which takes these rows exclusively) either finished before us, and then the version
 *    tells us our plan is stale, or waits until we commit.
 * 3. Apply the rows: one multi-row upsert or delete per run of same table and op, in order.
 * 4. Store the new offsets and cookie.
 * 5. Append the ledger entries: this takes the ledger head lock, so it is the last step (see
 *    lib/ledger/entry.ts); everything above runs concurrently with other writers.
 * The caller commits; every failure rolls everything back.
 */
import type { CtldbDialect, SqlRunner } from '../../../lib/ctldb/dialect.ts';
import { deleteRows, upsertRows } from '../../../lib/ctldb/family-sql.ts';
import { appendBatch } from '../../../lib/ctldb/ledger-append.ts';
import { CuttleError } from '../../../lib/errors.ts';
import type { PendingEntry } from '../../../lib/ledger/entry.ts';
import type { TableSchema } from '../../../lib/schema/types.ts';
import { encodeRow } from '../../../lib/schema/values.ts';
import { Catalog } from '../catalog/catalog.ts';
import { decideOffsets } from './offsets.ts';
import { runsOf, type PlannedMutation } from './plan.ts';
import type { CookieUpdate, OffsetUpdate } from './request.ts';

export interface BatchToApply {
  readonly writer: string;
  readonly family: string;
  readonly planned: readonly PlannedMutation[];
  /** The schemas (and catalog versions) the plan was validated against. */
  readonly schemas: ReadonlyMap<string, { readonly schema: TableSchema; readonly version: number }>;
  readonly offsets: readonly OffsetUpdate[];
  readonly cookie: CookieUpdate | undefined;
}

export type ApplyResult =
  | {
      readonly status: 'applied';
      readonly firstSeq: number | null;
      readonly lastSeq: number | null;
      readonly committedAt: number | null;
    }
  | { readonly status: 'duplicate' };

/** Thrown inside the transaction when the plan was made against an outdated schema. */
export class StaleSchemaError extends Error {
  override readonly name = 'StaleSchemaError';
  readonly tables: readonly string[];
  constructor(tables: readonly string[]) {
    super(`schema of ${tables.join(', ')} changed while planning`);
    this.tables = tables;
  }
}

async function checkOffsets(
  tx: SqlRunner,
  dialect: CtldbDialect,
  batch: BatchToApply,
): Promise<'apply' | 'duplicate'> {
  if (batch.offsets.length === 0 && batch.cookie === undefined) return 'apply';
  const writerRows = await tx.all(`SELECT cookie FROM cuttle_writers WHERE name = ?${dialect.forUpdate}`, [
    batch.writer,
  ]);
  if (writerRows[0] === undefined) {
    throw new CuttleError('WRITER_NOT_FOUND', `writer ${batch.writer} does not exist`, {
      details: { writer: batch.writer },
    });
  }
  const cookie = writerRows[0].cookie;
  const stored = new Map<string, string>();
  if (batch.offsets.length > 0) {
    const rows = await tx.all(
      `SELECT stream, next_offset FROM cuttle_writer_offsets WHERE writer = ? AND stream IN (${batch.offsets.map(() => '?').join(', ')})${dialect.forUpdate}`,
      [batch.writer, ...batch.offsets.map((o) => o.stream)],
    );
    for (const r of rows) stored.set(String(r.stream), String(r.next_offset));
  }
  const decision = decideOffsets(
    batch.offsets,
    stored,
    batch.cookie,
    Buffer.isBuffer(cookie) ? cookie : null,
  );
  if (decision.kind === 'conflict') {
    throw new CuttleError(
      'OFFSET_CONFLICT',
      `writer ${batch.writer}: stored offsets differ from the expected ones; resume from the stored offsets`,
      {
        details: {
          writer: batch.writer,
          family: batch.family,
          stored: decision.stored,
          ...(decision.storedCookie === undefined ? {} : { cookie: decision.storedCookie }),
        },
      },
    );
  }
  return decision.kind;
}

async function checkVersions(tx: SqlRunner, dialect: CtldbDialect, batch: BatchToApply): Promise<void> {
  const tables = [...batch.schemas.keys()];
  if (tables.length === 0) return;
  const current = await Catalog.lockVersions(tx, dialect, batch.family, tables);
  const stale = tables.filter((t) => current.get(t) !== batch.schemas.get(t)?.version);
  if (stale.length > 0) throw new StaleSchemaError(stale);
}

async function applyRows(tx: SqlRunner, dialect: CtldbDialect, batch: BatchToApply): Promise<void> {
  for (const run of runsOf(batch.planned)) {
    const first = run[0];
    const schema = first === undefined ? undefined : batch.schemas.get(first.table)?.schema;
    if (first === undefined || schema === undefined) continue;
    const rows = run.map((m) => m.row);
    if (first.op === 'upsert') await upsertRows(tx, dialect, schema, rows);
    else await deleteRows(tx, dialect, schema, rows);
  }
}

async function storeOffsets(tx: SqlRunner, dialect: CtldbDialect, batch: BatchToApply): Promise<void> {
  const now = Date.now();
  if (batch.offsets.length > 0) {
    const values = batch.offsets.map(() => '(?, ?, ?, ?)').join(', ');
    await tx.run(
      `INSERT INTO cuttle_writer_offsets (writer, stream, next_offset, updated_at) VALUES ${values}${dialect.upsertClause(['writer', 'stream'], ['next_offset', 'updated_at'])}`,
      batch.offsets.flatMap((o) => [batch.writer, o.stream, o.next, now]),
    );
  }
  if (batch.cookie !== undefined) {
    await tx.run('UPDATE cuttle_writers SET cookie = ?, updated_at = ? WHERE name = ?', [
      batch.cookie.next,
      now,
      batch.writer,
    ]);
  }
}

function ledgerEntries(batch: BatchToApply): PendingEntry[] {
  return batch.planned.map((m): PendingEntry => {
    const schema = batch.schemas.get(m.table)?.schema;
    if (schema === undefined) throw new Error(`no schema for ${m.table}`);
    if (m.op === 'upsert')
      return {
        family: batch.family,
        table: m.table,
        op: 'upsert',
        payload: { values: encodeRow(m.row, schema.fields) },
      };
    const keyDefs = schema.fields.filter((f) => schema.keyFields.includes(f.name));
    return {
      family: batch.family,
      table: m.table,
      op: 'delete',
      payload: { key: encodeRow(m.row, keyDefs) },
    };
  });
}

export async function applyBatch(
  tx: SqlRunner,
  dialect: CtldbDialect,
  batch: BatchToApply,
): Promise<ApplyResult> {
  if ((await checkOffsets(tx, dialect, batch)) === 'duplicate') return { status: 'duplicate' };
  await checkVersions(tx, dialect, batch);
  await applyRows(tx, dialect, batch);
  await storeOffsets(tx, dialect, batch);
  if (batch.planned.length === 0)
    return { status: 'applied', firstSeq: null, lastSeq: null, committedAt: null };
  const appended = await appendBatch(tx, dialect, ledgerEntries(batch));
  return { status: 'applied', ...appended };
}
