/**
 * `cuttle sources resolve <source> <database.table>`: an operator accepts the origin's current
 * schema for a table the loader holds after a schema change it does not follow by itself (a
 * dropped, narrowed or retyped column; see mapping/schema-plan.ts). The table's mapping is rebuilt
 * from information_schema with the source's choices (target, include, exclude, renames, key),
 * new columns become new nullable fields, and the source is stored again: loaders following the
 * registry rebuild their consumer, resume from ctldb's offsets and read the held change again,
 * which now matches the mapping.
 *
 * A field whose column was dropped stays in the cuttle table (fields are never removed) and is
 * no longer written: rows written from now on hold NULL there. A column whose type changed must
 * still map to its field's type. The values an ALTER rewrote at the origin reach cuttle when their
 * rows change again; the loader README says how to reload a table.
 */
import { CuttleError } from '../../../lib/errors.ts';
import type { FieldDef } from '../../../lib/schema/types.ts';
import { sourceConfigSchema, type SourceConfigInput } from '../mapping/source-config.ts';
import { SourceMapper } from '../mapping/source-mapper.ts';
import type { ExecutiveAdmin } from './executive-admin.ts';
import { checkFidelity, requireCarriable } from './origin-checks.ts';
import { tableMappingFromOrigin } from './origin-schema.ts';
import { listSources, updateSourceConfig, type OriginSchemaReader } from './registration.ts';

export interface ResolveResult {
  readonly source: string;
  readonly table: string;
  /** Fields added for new origin columns. */
  readonly addedFields: readonly string[];
  /** Origin columns the mapping had and the origin no longer has (their fields stay, unwritten). */
  readonly droppedColumns: readonly string[];
  /** Columns whose type the mapping now takes from the origin. */
  readonly retypedColumns: readonly string[];
  readonly warnings: readonly string[];
}

export async function resolveTable(
  sourceName: string,
  tableRef: string,
  origin: OriginSchemaReader,
  executive: ExecutiveAdmin,
): Promise<ResolveResult> {
  const record = (await listSources(executive)).find((s) => s.name === sourceName);
  if (record === undefined)
    throw new CuttleError('NOT_FOUND', `no source named ${sourceName}`, { details: { source: sourceName } });
  const config = record.config;
  const index = config.tables.findIndex(
    (t) => `${t.source.database}.${t.source.table}` === tableRef || t.source.table === tableRef,
  );
  const current = config.tables[index];
  if (current === undefined)
    throw new CuttleError('NOT_FOUND', `source ${sourceName} maps no table ${tableRef}`, {
      details: { source: sourceName, table: tableRef },
    });
  const { database, table } = current.source;
  const columns = await origin.columns(database, table);
  const names = new Set(columns.map((c) => c.name));
  const next = tableMappingFromOrigin(
    {
      database,
      table,
      family: current.target.family,
      targetTable: current.target.table,
      keyColumns: current.keyColumns.filter((k) => names.has(k)),
      ...(current.include === undefined ? {} : { include: current.include.filter((c) => names.has(c)) }),
      exclude: (current.exclude ?? []).filter((c) => names.has(c)),
      renames: Object.fromEntries(Object.entries(current.renames ?? {}).filter(([c]) => names.has(c))),
    },
    columns,
  );
  const tables = config.tables.map((t, i) => (i === index ? next : t));
  const nextConfig: SourceConfigInput = { ...config, tables };
  const mapper = new SourceMapper(sourceConfigSchema.parse(nextConfig));
  const compiled = mapper.tables[index];
  if (compiled === undefined) throw new CuttleError('INTERNAL', `table ${tableRef} did not compile`);
  const fidelity = await checkFidelity([{ table: compiled, columns }], config.format ?? 'json', origin);
  requireCarriable(sourceName, fidelity);
  const added = await addNewFields(
    executive,
    compiled.schema.family,
    compiled.schema.table,
    compiled.schema.fields,
  );
  await updateSourceConfig(executive, nextConfig);
  const before = new Map(current.columns.map((c) => [c.name, c.type]));
  return {
    source: sourceName,
    table: `${database}.${table}`,
    addedFields: added,
    droppedColumns: current.columns.filter((c) => !names.has(c.name)).map((c) => c.name),
    retypedColumns: next.columns
      .filter((c) => before.has(c.name) && before.get(c.name) !== c.type)
      .map((c) => c.name),
    warnings: [...compiled.warnings, ...fidelity.warnings],
  };
}

/** Adds the fields the cuttle table lacks; a field that exists must keep its type. */
async function addNewFields(
  executive: ExecutiveAdmin,
  family: string,
  table: string,
  fields: readonly FieldDef[],
): Promise<string[]> {
  const existing = await executive.table(family, table);
  if (existing === null)
    throw new CuttleError('TABLE_NOT_FOUND', `cuttle table ${family}.${table} does not exist`, {
      details: { family, table },
    });
  const types = new Map(existing.fields.map((f) => [f.name, f.type]));
  const changed = fields.filter((f) => types.has(f.name) && types.get(f.name) !== f.type);
  if (changed.length > 0) {
    const list = changed.map((f) => `${f.name} is ${types.get(f.name)} and would be ${f.type}`).join('; ');
    throw new CuttleError(
      'INVALID_FIELD_TYPE',
      `${family}.${table}: a cuttle field cannot change type (${list}); exclude the column, or map the table to a new cuttle table`,
      { details: { family, table, fields: changed.map((f) => f.name) } },
    );
  }
  const added = fields.filter((f) => !types.has(f.name));
  if (added.length > 0) await executive.addFields(family, table, added);
  return added.map((f) => f.name);
}
