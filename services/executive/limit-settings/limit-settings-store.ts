/**
 * Storage of limit settings: per-writer rate limits and per-table rate limits and size quotas
 * (soft: warn; hard: reject upserts). The executive only stores and serves them; the limits
 * engine (services/executive/limits/) reads them and enforces them.
 */
import type { Ctldb } from '../../../lib/ctldb/dialect.ts';
import { CuttleError, describeValue, detailValue, previewText } from '../../../lib/errors.ts';
import { LossyNumber } from '../../../lib/json/wire-json.ts';
import { validateTableRef, validateWriterName } from '../../../lib/schema/names.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { MAX_RATE_PERIOD_MS } from '../limits/settings.ts';

export interface WriterLimit {
  readonly writer: string;
  /** At most `rateAmount` mutations per `ratePeriodMs`. */
  readonly rateAmount: number;
  readonly ratePeriodMs: number;
}

export interface TableLimit {
  readonly family: string;
  readonly table: string;
  readonly rateAmount: number | null;
  readonly ratePeriodMs: number | null;
  /** Soft quota: above it the executive warns. */
  readonly warnBytes: number | null;
  /** Hard quota: above it upserts are rejected (deletes still pass). */
  readonly maxBytes: number | null;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function positive(body: Record<string, unknown>, name: string, required: boolean): number | null {
  const value = body[name];
  if (value === undefined || value === null) {
    if (required) throw new CuttleError('BAD_REQUEST', `${name} is required`, { details: { field: name } });
    return null;
  }
  if (value instanceof LossyNumber) {
    throw new CuttleError('INTEGER_PRECISION_LOST', `${name}: ${value.describe()}`, {
      details: { field: name },
    });
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new CuttleError('BAD_REQUEST', `${name} must be a positive integer, got ${describeValue(value)}`, {
      details: { field: name },
    });
  }
  return value;
}

/**
 * A settings body is a JSON object of known settings; anything else is refused rather than read
 * as "no settings" (a misspelt setting would otherwise silently mean "the default").
 */
function settingsBody(
  body: unknown,
  known: readonly string[],
  subject: Record<string, string>,
): Record<string, unknown> {
  if (!isObject(body)) {
    throw new CuttleError(
      'BAD_REQUEST',
      `the limit settings must be a JSON object, got ${describeValue(body)}`,
      {
        details: subject,
      },
    );
  }
  const unknown = Object.keys(body).find((k) => !known.includes(k));
  if (unknown !== undefined) {
    throw new CuttleError(
      'BAD_REQUEST',
      `unknown limit setting ${previewText(unknown)}; known: ${known.join(', ')}`,
      {
        details: { ...subject, field: detailValue(unknown) },
      },
    );
  }
  return body;
}

const WRITER_SETTINGS = ['rateAmount', 'ratePeriodMs'] as const;
const TABLE_SETTINGS = ['rateAmount', 'ratePeriodMs', 'warnBytes', 'maxBytes'] as const;

/** A rate's period: positive, at most a day (settings.ts MAX_RATE_PERIOD_MS: no lock-out). */
function period(body: Record<string, unknown>, required: boolean): number | null {
  const value = positive(body, 'ratePeriodMs', required);
  if (value !== null && value > MAX_RATE_PERIOD_MS) {
    throw new CuttleError(
      'BAD_REQUEST',
      `ratePeriodMs may be at most ${MAX_RATE_PERIOD_MS} (a day), got ${value}: a longer period could lock a writer out for that long`,
      { details: { field: 'ratePeriodMs', max: MAX_RATE_PERIOD_MS } },
    );
  }
  return value;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export class LimitSettingsStore {
  readonly #ctldb: Ctldb;
  readonly #catalog: Catalog;

  constructor(ctldb: Ctldb, catalog: Catalog) {
    this.#ctldb = ctldb;
    this.#catalog = catalog;
  }

  async list(): Promise<{ writers: WriterLimit[]; tables: TableLimit[] }> {
    const writers = await this.#ctldb.all(
      'SELECT writer, rate_amount, rate_period_ms FROM cuttle_writer_limits ORDER BY writer',
    );
    const tables = await this.#ctldb.all(
      'SELECT family, table_name, rate_amount, rate_period_ms, warn_bytes, max_bytes FROM cuttle_table_limits ORDER BY family, table_name',
    );
    return {
      writers: writers.map((r) => ({
        writer: String(r.writer),
        rateAmount: Number(r.rate_amount),
        ratePeriodMs: Number(r.rate_period_ms),
      })),
      tables: tables.map((r) => ({
        family: String(r.family),
        table: String(r.table_name),
        rateAmount: num(r.rate_amount),
        ratePeriodMs: num(r.rate_period_ms),
        warnBytes: num(r.warn_bytes),
        maxBytes: num(r.max_bytes),
      })),
    };
  }

  async setWriterLimit(writerName: unknown, body: unknown): Promise<WriterLimit> {
    const writer = validateWriterName(writerName);
    const spec = settingsBody(body, WRITER_SETTINGS, { writer });
    const rateAmount = positive(spec, 'rateAmount', true) ?? 0;
    const ratePeriodMs = period(spec, true) ?? 0;
    const exists = await this.#ctldb.all('SELECT name FROM cuttle_writers WHERE name = ?', [writer]);
    if (exists.length === 0)
      throw new CuttleError('WRITER_NOT_FOUND', `writer ${writer} does not exist`, { details: { writer } });
    await this.#ctldb.run(
      `INSERT INTO cuttle_writer_limits (writer, rate_amount, rate_period_ms, updated_at) VALUES (?, ?, ?, ?)${this.#ctldb.dialect.upsertClause(['writer'], ['rate_amount', 'rate_period_ms', 'updated_at'])}`,
      [writer, rateAmount, ratePeriodMs, Date.now()],
    );
    return { writer, rateAmount, ratePeriodMs };
  }

  async deleteWriterLimit(writerName: unknown): Promise<void> {
    const writer = validateWriterName(writerName);
    const deleted = await this.#ctldb.run('DELETE FROM cuttle_writer_limits WHERE writer = ?', [writer]);
    if (deleted === 0)
      throw new CuttleError('NOT_FOUND', `writer ${writer} has no limit of its own`, { details: { writer } });
  }

  async setTableLimit(familyName: unknown, tableName: unknown, body: unknown): Promise<TableLimit> {
    const { family, table } = validateTableRef(familyName, tableName);
    const spec = settingsBody(body, TABLE_SETTINGS, { family, table });
    const limit: TableLimit = {
      family,
      table,
      rateAmount: positive(spec, 'rateAmount', false),
      ratePeriodMs: period(spec, false),
      warnBytes: positive(spec, 'warnBytes', false),
      maxBytes: positive(spec, 'maxBytes', false),
    };
    if ((limit.rateAmount === null) !== (limit.ratePeriodMs === null)) {
      throw new CuttleError('BAD_REQUEST', 'rateAmount and ratePeriodMs go together', {
        details: { family, table },
      });
    }
    if (limit.warnBytes !== null && limit.maxBytes !== null && limit.warnBytes > limit.maxBytes) {
      throw new CuttleError('BAD_REQUEST', 'warnBytes may not exceed maxBytes', {
        details: { family, table },
      });
    }
    await this.#catalog.require(family, table);
    await this.#ctldb.run(
      `INSERT INTO cuttle_table_limits (family, table_name, rate_amount, rate_period_ms, warn_bytes, max_bytes, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)${this.#ctldb.dialect.upsertClause(
        ['family', 'table_name'],
        ['rate_amount', 'rate_period_ms', 'warn_bytes', 'max_bytes', 'updated_at'],
      )}`,
      [family, table, limit.rateAmount, limit.ratePeriodMs, limit.warnBytes, limit.maxBytes, Date.now()],
    );
    return limit;
  }

  async deleteTableLimit(familyName: unknown, tableName: unknown): Promise<void> {
    const { family, table } = validateTableRef(familyName, tableName);
    const deleted = await this.#ctldb.run(
      'DELETE FROM cuttle_table_limits WHERE family = ? AND table_name = ?',
      [family, table],
    );
    if (deleted === 0)
      throw new CuttleError('NOT_FOUND', `table ${family}.${table} has no limits of its own`, {
        details: { family, table },
      });
  }
}
