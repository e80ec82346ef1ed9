/**
 * The type corpus (corpus.ts) through the real pipeline, in JSON and in Avro: origin MariaDB →
 * Debezium configured as `cuttle sources add` configures it → Kafka → loader → executive →
 * ctldb → reflector → LDB. Every cell is read three ways, independently of the loader's code
 * (the origin with SQL or its binary protocol, ctldb through the executive's read API, the LDB
 * through the reader library) and compared: the test passes with 0 differing cells.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Value } from '../../../../lib/reader/ldb-reader.ts';
import type { FieldType } from '../../../../lib/schema/types.ts';
import { canonicalDecimal } from '../../../../lib/schema/values.ts';
import { sourceConfigSchema } from '../../../../services/loader/mapping/source-config.ts';
import { SourceMapper } from '../../../../services/loader/mapping/source-mapper.ts';
import { checkFidelity } from '../../../../services/loader/sources/origin-checks.ts';
import { eventually } from '../harness.ts';
import { openOriginReader } from '../origin.ts';
import { Pipeline } from '../pipeline.ts';
import { CORPUS, type CorpusTable, type ReadAs } from './corpus.ts';

type Cells = Map<string, Record<string, string | null>>;

const FAMILY = 'corpus';

/** Number text with an exponent (`1.4e-45`) as plain decimal text in cuttle's canonical form. */
function plain(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text);
  if (match === null) throw new Error(`not a number: ${text}`);
  const [, sign = '', int = '', frac = '', exp = '0'] = match;
  const digits = int + frac;
  const point = int.length + Number(exp);
  const body =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return canonicalDecimal(sign + body);
}

/** The shortest decimal text that reads back as the same float32 (the FLOAT rule). */
function shortestFloat32(value: number): string {
  const single = Math.fround(value);
  for (let digits = 1; digits <= 9; digits++) {
    const text = single.toPrecision(digits);
    if (Math.fround(Number(text)) === single) return plain(text);
  }
  throw new Error(`no text for ${value}`);
}

/** ECMAScript's Number-to-String is the shortest text that reads back as the same double. */
function shortestFloat64(value: number): string {
  return plain(String(value));
}

const SQL_READ: Partial<Record<ReadAs, (c: string) => string>> = {
  cast: (c) => `CAST(${c} AS CHAR)`,
  text: (c) => c,
  hex: (c) => `HEX(${c})`,
  bits: (c) => `HEX(CAST(${c} AS BINARY))`,
  number: (c) => `CAST(${c} + 0 AS CHAR)`,
  decimal: (c) => `CAST(${c} AS CHAR)`,
  timestamp: (c) => `CONCAT(REPLACE(CAST(${c} AS CHAR), ' ', 'T'), 'Z')`,
};

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint')
    return String(value);
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

function keyOf(table: CorpusTable, row: Record<string, string | null>): string {
  return table.key.map((k) => row[k] ?? 'NULL').join(' | ');
}

async function originCells(pipeline: Pipeline, table: CorpusTable): Promise<Cells> {
  const columns = Object.entries(table.read);
  const select = columns
    .map(([c, as]) => {
      const read = SQL_READ[as] ?? SQL_READ.cast;
      return `${(read ?? ((x: string) => x))(`\`${c}\``)} AS \`${c}\``;
    })
    .join(', ');
  const rows = await pipeline.origin.all(`SELECT ${select} FROM \`${table.name}\``);
  // FLOAT and DOUBLE from the binary protocol: the exact float32/float64 the origin holds.
  const floats = columns.filter(([, as]) => as === 'float' || as === 'double');
  const exact =
    floats.length === 0
      ? []
      : await pipeline.origin.allBinary(
          `SELECT ${table.key.map((k) => `\`${k}\``).join(', ')}, ${floats.map(([c]) => `\`${c}\``).join(', ')} FROM \`${table.name}\``,
        );
  const cells: Cells = new Map();
  rows.forEach((row, i) => {
    const out: Record<string, string | null> = {};
    for (const [c, as] of columns) {
      const value = text(row[c]);
      out[c] = value !== null && as === 'decimal' ? canonicalDecimal(value) : value;
    }
    for (const [c, as] of floats) {
      const raw = exact.find((e) => table.key.every((k) => text(e[k]) === out[k]))?.[c];
      if (raw === undefined) throw new Error(`row ${i} of ${table.name} not found in the binary read`);
      out[c] =
        raw === null ? null : as === 'float' ? shortestFloat32(Number(raw)) : shortestFloat64(Number(raw));
    }
    cells.set(keyOf(table, out), out);
  });
  return cells;
}

function fieldTypes(pipeline: Pipeline, table: CorpusTable): Map<string, FieldType> {
  const mapper = new SourceMapper(sourceConfigSchema.parse(pipeline.source));
  const compiled = mapper.tables.find((t) => t.sourceTable.table === table.name);
  if (compiled === undefined) throw new Error(`${table.name} is not mapped`);
  return new Map(compiled.columns.map((c) => [c.source, c.field.type]));
}

function isBytes(type: FieldType | undefined): boolean {
  return type === 'bytestring' || type === 'binary';
}

async function ctldbCells(pipeline: Pipeline, table: CorpusTable): Promise<Cells> {
  const types = fieldTypes(pipeline, table);
  const cells: Cells = new Map();
  for (const row of await pipeline.harness.rows(FAMILY, table.name)) {
    const out: Record<string, string | null> = {};
    for (const c of Object.keys(table.read)) {
      const value = text(row[c.toLowerCase()]);
      out[c] =
        value !== null && isBytes(types.get(c))
          ? Buffer.from(value, 'base64').toString('hex').toUpperCase()
          : value;
    }
    cells.set(keyOf(table, out), out);
  }
  return cells;
}

function ldbText(value: Value | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('hex').toUpperCase();
  return String(value);
}

function ldbCells(pipeline: Pipeline, table: CorpusTable): Cells {
  const cells: Cells = new Map();
  for (const row of pipeline.reader.rowsByPrefix(FAMILY, table.name, [])) {
    const out: Record<string, string | null> = {};
    for (const c of Object.keys(table.read)) out[c] = ldbText(row[c.toLowerCase()]);
    cells.set(keyOf(table, out), out);
  }
  return cells;
}

/** Every cell where origin, ctldb and the LDB do not all agree, one line each. */
async function differingCells(pipeline: Pipeline, tables: readonly CorpusTable[]): Promise<string[]> {
  const differences: string[] = [];
  for (const table of tables) {
    const origin = await originCells(pipeline, table);
    const ctldb = await ctldbCells(pipeline, table);
    const ldb = ldbCells(pipeline, table);
    const keys = new Set([...origin.keys(), ...ctldb.keys(), ...ldb.keys()]);
    for (const key of [...keys].sort()) {
      for (const c of Object.keys(table.read)) {
        const [o, d, l] = [origin.get(key), ctldb.get(key), ldb.get(key)].map((r) =>
          r === undefined ? '<no row>' : JSON.stringify(r[c]),
        );
        if (o !== d || d !== l)
          differences.push(`${table.name}[${key}].${c}: origin ${o}, ctldb ${d}, LDB ${l}`);
      }
    }
  }
  return differences;
}

describe.each(['json', 'avro'] as const)('type corpus through the whole pipeline (%s)', (format) => {
  const pipeline = new Pipeline();
  const tables = CORPUS.filter((t) => t.only === undefined || t.only === format);

  beforeAll(async () => {
    await pipeline.open({
      format,
      setup: tables.flatMap((t) => [t.ddl, ...t.snapshot]),
      tables: tables.map((t) => ({ table: t.name, family: FAMILY })),
      deadLetterPolicy: 'halt',
    });
  });

  afterAll(async () => {
    await pipeline.close();
  });

  it('passes registration: nothing in the corpus is refused', async () => {
    const reader = await openOriginReader();
    try {
      const mapper = new SourceMapper(sourceConfigSchema.parse(pipeline.source));
      const checked = [];
      for (const table of mapper.tables)
        checked.push({ table, columns: await pipeline.origin.columns(table.sourceTable.table) });
      expect((await checkFidelity(checked, format, reader)).refusals).toEqual([]);
    } finally {
      await reader.close();
    }
  });

  it('holds every cell exactly as the origin does, in ctldb and in the LDB (0 differing cells)', async () => {
    for (const table of tables) for (const change of table.changes) await pipeline.origin.exec(change);
    let last: string[] = [];
    try {
      await eventually(async () => {
        last = await differingCells(pipeline, tables).catch((err: unknown) => [
          `cannot compare yet: ${String(err)}`,
        ]);
        expect(last).toEqual([]);
      }, 150_000);
    } finally {
      const cells = tables.reduce((n, t) => n + Object.keys(t.read).length, 0);
      console.info(
        `type corpus (${format}): ${tables.length} tables, ${cells} columns, ${last.length} differing cells`,
      );
    }
    expect(pipeline.loader.statuses.filter((s) => s.halted !== null)).toEqual([]);
  }, 200_000);
});
