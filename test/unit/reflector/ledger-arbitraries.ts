/**
 * Random ledgers for property tests: abstract operations drawn by fast-check, turned into valid
 * ledger batches by an interpreter that tracks the schema (so an upsert always names a live
 * table and every key field). Values lean on the hard cases: integers beyond 2^53 and at the
 * int64 edges, keys that differ only by case or a trailing space, empty and NUL-ish bytes,
 * decimals with many digits, astral-plane characters.
 */
import fc from 'fast-check';
import type { PendingEntry } from '../../../lib/ledger/entry.ts';
import { physicalTableName } from '../../../lib/schema/names.ts';
import type { FieldDef, FieldType, TableSchema } from '../../../lib/schema/types.ts';
import { INT64_MAX, INT64_MIN, canonicalDecimal, type Row, type Value } from '../../../lib/schema/values.ts';
import type { LedgerModel } from '../../support/ldb.ts';
import { op } from '../../support/ledger-fixture.ts';

const KEY_TYPES: readonly FieldType[] = ['string', 'bytestring', 'integer'];
const ALL: readonly FieldType[] = ['string', 'bytestring', 'integer', 'decimal', 'text', 'binary'];

const integer = fc.oneof(
  fc.constantFrom(0n, -1n, 1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, INT64_MAX, INT64_MIN),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
);
const text = fc.oneof(
  fc.constantFrom('a', 'A', 'a ', ' a', '', 'é', 'e\u0301', '😀', 'x'.repeat(191)),
  fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes('\u0000')),
);
const bytes = fc.oneof(
  fc.constantFrom(Buffer.alloc(0), Buffer.from([0]), Buffer.from('a'), Buffer.from('A')),
  fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a)),
);
const decimal = fc
  .tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.nat({ max: 20 }))
  .map(([digits, scale]) => {
    const s = (digits < 0n ? -digits : digits).toString().padStart(scale + 1, '0');
    const body = scale === 0 ? s : `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
    return canonicalDecimal(`${digits < 0n ? '-' : ''}${body}`);
  });

export function valueArb(type: FieldType): fc.Arbitrary<Value> {
  switch (type) {
    case 'integer':
      return integer;
    case 'decimal':
      return decimal;
    case 'bytestring':
    case 'binary':
      return bytes;
    default:
      return text;
  }
}

/** A value from a seed: keys from a small pool so rows collide, values from the full range. */
type Seeds = readonly Value[];

export type AbstractOp =
  | { kind: 'create'; fields: FieldType[]; keyCount: number }
  | { kind: 'upsert'; table: number; key: number; values: Record<FieldType, Value> }
  | { kind: 'delete'; table: number; key: number }
  | { kind: 'addField'; table: number; type: FieldType }
  | { kind: 'drop' | 'clear'; table: number }
  | { kind: 'heartbeat' };

const valuesByType = fc.record(
  Object.fromEntries(ALL.map((t) => [t, fc.option(valueArb(t), { freq: 6 })])) as Record<
    FieldType,
    fc.Arbitrary<Value>
  >,
);

export const abstractOp: fc.Arbitrary<AbstractOp> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      fields: fc.array(fc.constantFrom(...ALL), { minLength: 1, maxLength: 5 }),
      keyCount: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('upsert' as const),
      table: fc.nat(),
      key: fc.nat({ max: 30 }),
      values: valuesByType,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('delete' as const), table: fc.nat(), key: fc.nat({ max: 40 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('addField' as const),
      table: fc.nat(),
      type: fc.constantFrom(...ALL),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constantFrom('drop' as const, 'clear' as const), table: fc.nat() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const) }) },
);

/** Batches of abstract ops: mostly small, sometimes one large batch of upserts. */
export const abstractLedger: fc.Arbitrary<AbstractOp[][]> = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: fc.array(abstractOp, { minLength: 1, maxLength: 12 }) },
    { weight: 1, arbitrary: fc.array(abstractOp, { minLength: 150, maxLength: 400 }) },
  ),
  { minLength: 1, maxLength: 12 },
);

/** Deterministic key pool per table: `count` keys mixing the key types' hard cases. */
function keyPool(schema: TableSchema, seeds: Map<FieldType, Seeds>): Row[] {
  const pool: Row[] = [];
  for (let i = 0; i < 40; i++) {
    const row: Row = {};
    schema.keyFields.forEach((k, j) => {
      const type = schema.fields.find((f) => f.name === k)?.type ?? 'string';
      const values = seeds.get(type) ?? [];
      row[k] = values[(i * (2 * j + 1) + j) % values.length] ?? null;
    });
    pool.push(row);
  }
  return pool;
}

const KEY_SEEDS = new Map<FieldType, Seeds>([
  ['string', ['a', 'A', 'a ', ' a', '', 'é', 'e\u0301', '😀', 'b', 'ß', 'SS', 'x'.repeat(191)]],
  [
    'bytestring',
    [
      Buffer.alloc(0),
      Buffer.from([0]),
      Buffer.from([0, 0]),
      Buffer.from('a'),
      Buffer.from('A'),
      Buffer.from([255]),
      Buffer.from('a '),
    ],
  ],
  [
    'integer',
    [0n, -1n, 1n, 2n ** 53n, 2n ** 53n + 1n, INT64_MAX, INT64_MIN, 42n, -(2n ** 53n) - 1n, 7n, 1000n],
  ],
]);

/**
 * Turns abstract batches into valid ledger batches; `model` ends up holding ctldb's content.
 * Tables live in `family` (tests sharing one ctldb give each run its own family).
 */
export function interpret(
  ledger: readonly AbstractOp[][],
  model: LedgerModel,
  family = 'prop',
): PendingEntry[][] {
  let created = 0;
  const batches: PendingEntry[][] = [];
  for (const ops of ledger) {
    const batch: PendingEntry[] = [];
    const emit = (entry: PendingEntry): void => {
      model.apply(entry);
      batch.push(entry);
    };
    for (const abstract of ops) {
      const tables = model.liveTables();
      const pick = (n: number): TableSchema | undefined => tables[n % Math.max(1, tables.length)];
      if (abstract.kind === 'heartbeat') emit(op.heartbeat());
      else if (abstract.kind === 'create' || tables.length === 0) {
        const spec =
          abstract.kind === 'create' ? abstract : { fields: ['integer' as FieldType], keyCount: 1 };
        // Few names, so a dropped table comes back, usually with other key types.
        const schema = newSchema(family, created++, spec.fields, spec.keyCount);
        const live = model.schema(physicalTableName(schema.family, schema.table)) !== undefined;
        emit(live ? op.heartbeat() : op.createTable(schema));
      } else {
        const schema = pick('table' in abstract ? abstract.table : 0) as TableSchema;
        emit(concrete(abstract, schema, model));
      }
    }
    batches.push(batch);
  }
  return batches;
}

function newSchema(family: string, n: number, types: readonly FieldType[], keyCount: number): TableSchema {
  const keys: FieldDef[] = Array.from({ length: keyCount }, (_, i) => ({
    name: `k${i}`,
    type: KEY_TYPES[(n + i) % KEY_TYPES.length] as FieldType,
  }));
  const fields = [...keys, ...types.map((type, i) => ({ name: `f${i}`, type }))];
  return { family, table: `tab${n % 5}`, fields, keyFields: keys.map((k) => k.name) };
}

function concrete(abstract: AbstractOp, schema: TableSchema, model: LedgerModel): PendingEntry {
  const pool = keyPool(schema, KEY_SEEDS);
  switch (abstract.kind) {
    case 'upsert': {
      const row: Row = { ...(pool[abstract.key % pool.length] as Row) };
      for (const f of schema.fields)
        if (!schema.keyFields.includes(f.name)) row[f.name] = abstract.values[f.type];
      return op.upsert(schema, row);
    }
    case 'delete': {
      const existing = model.keysOf(physicalTableName(schema.family, schema.table));
      const key =
        abstract.key % 2 === 0 && existing.length > 0
          ? existing[abstract.key % existing.length]
          : pool[abstract.key % pool.length];
      return op.delete(schema, key as Row);
    }
    case 'addField':
      return op.addFields(schema, [{ name: `a${schema.fields.length}`, type: abstract.type }]);
    case 'drop':
      return op.dropTable(schema);
    case 'clear':
      return op.clearTable(schema);
    default:
      return op.heartbeat();
  }
}
