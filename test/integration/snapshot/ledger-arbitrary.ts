/**
 * Random, valid ledgers for the snapshot property: abstract steps over two tables, turned into
 * batches of ledger entries that are always applicable (a step on a table that does not exist
 * creates it first, in the same batch).
 */
import fc from 'fast-check';
import type { PendingEntry } from '../../../lib/ledger/entry.ts';
import type { TableSchema } from '../../../lib/schema/types.ts';
import type { Row } from '../../../lib/schema/values.ts';
import { op } from '../../support/ledger-fixture.ts';

export type Step =
  | { readonly kind: 'upsert'; readonly table: number; readonly id: number; readonly value: string }
  | { readonly kind: 'delete'; readonly table: number; readonly id: number }
  | { readonly kind: 'add_field' | 'clear' | 'drop'; readonly table: number }
  | { readonly kind: 'heartbeat' };

const table = fc.integer({ min: 0, max: 1 });
const id = fc.integer({ min: 1, max: 12 });

export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('upsert' as const),
      table,
      id,
      value: fc.string({ maxLength: 12 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), table, id }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom('add_field' as const, 'clear' as const, 'drop' as const),
      table,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const) }) },
);

/** Batches of 1-4 steps. */
export const ledgerArbitrary = fc.array(fc.array(stepArbitrary, { minLength: 1, maxLength: 4 }), {
  minLength: 1,
  maxLength: 25,
});

/** Turns steps into entries, tracking which tables exist and their fields. */
export class LedgerBuilder {
  readonly #schemas = new Map<number, TableSchema>();

  batch(steps: readonly Step[]): PendingEntry[] {
    return steps.flatMap((step) => this.#entries(step));
  }

  #entries(step: Step): PendingEntry[] {
    if (step.kind === 'heartbeat') return [op.heartbeat()];
    const created: PendingEntry[] = [];
    let schema = this.#schemas.get(step.table);
    if (schema === undefined) {
      schema = {
        family: 'prop',
        table: `table_${step.table}`,
        fields: [
          { name: 'id', type: 'integer' },
          { name: 'value', type: 'text' },
        ],
        keyFields: ['id'],
      };
      this.#schemas.set(step.table, schema);
      created.push(op.createTable(schema));
    }
    return [...created, ...this.#apply(step, schema)];
  }

  #apply(step: Exclude<Step, { kind: 'heartbeat' }>, schema: TableSchema): PendingEntry[] {
    switch (step.kind) {
      case 'upsert': {
        const row: Row = { id: BigInt(step.id), value: step.value };
        for (const f of schema.fields.slice(2)) row[f.name] = `${step.value}/${f.name}`;
        return [op.upsert(schema, row)];
      }
      case 'delete':
        return [op.delete(schema, { id: BigInt(step.id) })];
      case 'add_field': {
        const field = { name: `extra_${schema.fields.length}`, type: 'text' as const };
        this.#schemas.set(step.table, { ...schema, fields: [...schema.fields, field] });
        return [op.addFields(schema, [field])];
      }
      case 'clear':
        return [op.clearTable(schema)];
      case 'drop':
        this.#schemas.delete(step.table);
        return [op.dropTable(schema)];
    }
  }
}
