/**
 * The applier: applies one whole ledger batch to the LDB in ONE SQLite transaction, together with
 * the LDB's position. Either the batch and its seq are both in the LDB or neither is, so a
 * reflector killed at any point resumes from the seq it finds, and no reader ever sees part of a
 * batch (invariants 1 and 5 of design.md).
 */
import { CuttleError, isCuttleError } from '../errors.ts';
import type { LedgerEntry } from '../ledger/entry.ts';
import { physicalTableName, quoteIdent } from '../schema/names.ts';
import type { TableSchema } from '../schema/types.ts';
import { checkBatch } from './batches.ts';
import { CatalogWriter, readLiveSchemas } from './catalog.ts';
import { changeOfEntry, type RowChange } from './changes.ts';
import {
  addColumnSql,
  createFamilyTableSql,
  POSITION_TABLE,
  positionFromRow,
  SELECT_POSITION_SQL,
  type LdbPosition,
} from './layout.ts';
import type { SqliteDb } from './sqlite-port.ts';
import { TableWriter } from './table-writer.ts';

/** What one applied batch did. */
export interface AppliedBatch {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly entries: number;
  /** Committed changes, in seq order (heartbeats excluded). */
  readonly changes: readonly RowChange[];
  readonly schemaChanged: boolean;
}

interface BatchState {
  readonly changes: RowChange[];
  schemaChanges: number;
  heartbeatAt: number | null;
}

export class LdbApplier {
  readonly #db: SqliteDb;
  readonly #clock: () => number;
  readonly #tables: TableWriter;
  readonly #catalog: CatalogWriter;
  readonly #updatePosition;
  #schemas: Map<string, TableSchema>;
  #position: LdbPosition;

  /** `db` must already hold the LDB layout (see openLdbWriter). */
  constructor(db: SqliteDb, clock: () => number = Date.now) {
    this.#db = db;
    this.#clock = clock;
    this.#tables = new TableWriter(db);
    this.#catalog = new CatalogWriter(db);
    this.#updatePosition = db.prepare(
      `UPDATE ${POSITION_TABLE} SET seq = ?, committed_at = ?, heartbeat_at = COALESCE(?, heartbeat_at),
       catalog_version = catalog_version + ?, applied_at = ? WHERE id = 1`,
    );
    this.#schemas = readLiveSchemas(db);
    this.#position = positionFromRow(db.prepare(SELECT_POSITION_SQL).get());
  }

  /** The position as of the last committed batch. */
  get position(): LdbPosition {
    return this.#position;
  }

  /** The live schema of a table, or undefined. */
  schema(family: string, table: string): TableSchema | undefined {
    return this.#schemas.get(physicalTableName(family, table));
  }

  /** Applies one whole batch (checked with checkBatch) in one transaction. */
  apply(batch: readonly LedgerEntry[]): AppliedBatch {
    checkBatch(batch, this.#position.seq);
    const state: BatchState = { changes: [], schemaChanges: 0, heartbeatAt: null };
    const last = batch[batch.length - 1] as LedgerEntry;
    const appliedAt = this.#clock();
    const run = this.#db.transaction(() => {
      for (const entry of batch) this.#applyEntry(entry, state);
      this.#updatePosition.run(last.seq, last.committedAt, state.heartbeatAt, state.schemaChanges, appliedAt);
    });
    try {
      run();
    } catch (err) {
      // The transaction rolled back; so must our view of the schema.
      this.#schemas = readLiveSchemas(this.#db);
      this.#tables.forget();
      throw applyError(err, batch);
    }
    const before = this.#position;
    this.#position = {
      seq: last.seq,
      committedAt: last.committedAt,
      heartbeatAt: state.heartbeatAt ?? before.heartbeatAt,
      catalogVersion: before.catalogVersion + state.schemaChanges,
      appliedAt,
    };
    return {
      firstSeq: batch[0]?.seq ?? last.seq,
      lastSeq: last.seq,
      entries: batch.length,
      changes: state.changes,
      schemaChanged: state.schemaChanges > 0,
    };
  }

  #applyEntry(entry: LedgerEntry, state: BatchState): void {
    const physical = physicalTableName(entry.family, entry.table);
    switch (entry.op) {
      case 'heartbeat':
        state.heartbeatAt = entry.committedAt;
        return;
      case 'upsert':
        this.#tables.upsert(this.#require(entry), entry.payload.values);
        break;
      case 'delete':
        this.#tables.delete(this.#require(entry), entry.payload.key);
        break;
      case 'clear_table':
        this.#tables.clear(this.#require(entry));
        break;
      case 'create_table':
        this.#createTable(entry);
        state.schemaChanges++;
        break;
      case 'add_fields':
        this.#addFields(entry, this.#require(entry));
        state.schemaChanges++;
        break;
      case 'drop_table':
        this.#require(entry);
        this.#db.exec(`DROP TABLE ${quoteIdent(physical)}`);
        this.#catalog.dropped(entry.family, entry.table, entry.seq);
        this.#schemas.delete(physical);
        this.#tables.forget(physical);
        state.schemaChanges++;
        break;
    }
    const change = changeOfEntry(entry, this.#schemas.get(physical) ?? undefined);
    if (change !== null) state.changes.push(change);
  }

  #createTable(entry: LedgerEntry & { op: 'create_table' }): void {
    const physical = physicalTableName(entry.family, entry.table);
    if (this.#schemas.has(physical)) throw entryError(entry, 'table already exists in the LDB');
    const schema: TableSchema = {
      family: entry.family,
      table: entry.table,
      fields: entry.payload.fields.map(([name, type]) => ({ name, type })),
      keyFields: [...entry.payload.keyFields],
    };
    this.#db.exec(createFamilyTableSql(schema));
    this.#catalog.created(schema, entry.seq);
    this.#schemas.set(physical, schema);
    this.#tables.forget(physical);
  }

  #addFields(entry: LedgerEntry & { op: 'add_fields' }, schema: TableSchema): void {
    const fields = [...schema.fields];
    for (const [name, type] of entry.payload.fields) {
      if (fields.some((f) => f.name === name)) throw entryError(entry, `field ${name} already exists`);
      this.#db.exec(addColumnSql(entry.family, entry.table, name, type));
      fields.push({ name, type });
    }
    const updated = { ...schema, fields };
    this.#catalog.fieldsChanged(updated);
    const physical = physicalTableName(entry.family, entry.table);
    this.#schemas.set(physical, updated);
    this.#tables.forget(physical);
  }

  #require(entry: LedgerEntry): TableSchema {
    const schema = this.#schemas.get(physicalTableName(entry.family, entry.table));
    if (schema === undefined) throw entryError(entry, 'table does not exist in the LDB');
    return schema;
  }
}

function entryError(entry: LedgerEntry, problem: string): CuttleError {
  return new CuttleError(
    'INTERNAL',
    `ledger entry ${entry.seq} (${entry.op} ${entry.family}.${entry.table}): ${problem}`,
    { details: { seq: entry.seq, family: entry.family, table: entry.table, op: entry.op }, retriable: false },
  );
}

/**
 * CuttleErrors pass through; a SQLite failure (disk full, I/O, busy) is retriable; anything else
 * (a bad value in the ledger) is not.
 */
function applyError(err: unknown, batch: readonly LedgerEntry[]): CuttleError {
  if (isCuttleError(err)) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const sqlite = typeof code === 'string' && code.startsWith('SQLITE_');
  const retriable = sqlite && !code.startsWith('SQLITE_CONSTRAINT') && code !== 'SQLITE_ERROR';
  const first = batch[0]?.seq ?? 0;
  const last = batch[batch.length - 1]?.seq ?? first;
  return new CuttleError('INTERNAL', `could not apply ledger batch ${first}..${last}: ${String(err)}`, {
    details: { firstSeq: first, lastSeq: last, sqliteCode: code },
    cause: err,
    retriable,
  });
}
