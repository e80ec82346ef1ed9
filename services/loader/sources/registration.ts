/**
 * What `cuttle sources add | list | show | pause | resume | remove` do, over small ports (the
 * origin's information_schema, the executive, Kafka Connect). `add` reads the origin tables'
 * schema, maps every column (listing every column it cannot map, all at once), creates the cuttle
 * family and tables, registers the loader as a writer, creates the Debezium connector and stores
 * the source in `cuttle.sources`, where every loader picks it up.
 */
import { randomBytes } from 'node:crypto';
import { CuttleError } from '../../../lib/errors.ts';
import { validateWriterName } from '../../../lib/schema/names.ts';
import type { TableSchema } from '../../../lib/schema/types.ts';
import type { ConnectClient, ConnectorStatus } from '../../../lib/sources/connect-client.ts';
import { encodingsSchema, type DebeziumEncodings } from '../mapping/encodings.ts';
import { sourceConfigSchema, type SourceConfigInput } from '../mapping/source-config.ts';
import { SourceMapper } from '../mapping/source-mapper.ts';
import { connectorConfig, type OriginAddress } from './connector-config.ts';
import { fieldsText, type ExecutiveAdmin } from './executive-admin.ts';
import type { TableChoice } from './origin-schema.ts';
import { planSource, requirePlanAccepted, type OriginSchemaReader, type SourcePlan } from './source-plan.ts';
import {
  SOURCES_FAMILY,
  SOURCES_FIELDS,
  SOURCES_KEY,
  SOURCES_TABLE,
  SOURCES_WRITER,
  redactProperties,
  rowOfSource,
  sourceFromRow,
  validateSourceName,
  type SourceRecord,
  type SourceState,
} from './source-record.ts';

export type { OriginSchemaReader } from './source-plan.ts';

export interface SourcesDeps {
  /** With the admin token. */
  readonly executive: ExecutiveAdmin;
  readonly connect: ConnectClient;
  readonly now?: () => number;
}

export interface AddSourceRequest {
  readonly name: string;
  readonly origin: OriginAddress;
  readonly tables: readonly Omit<TableChoice, 'database'>[];
  readonly format?: 'json' | 'avro';
  readonly encodings?: Partial<DebeziumEncodings>;
  readonly deadLetterPolicy?: 'halt' | 'skip';
  readonly schemaChanges?: 'add-columns' | 'hold';
  readonly truncate?: 'apply' | 'hold' | 'ignore';
  /**
   * The writer loaders commit this source's changes as, scoped to its families and with its own
   * rate budget. @defaultValue `source.<name>`, registered now (or given a fresh secret).
   */
  readonly loaderWriter?: string;
  /** Its secret when it must be registered; generated (and returned once) when left out. */
  readonly loaderSecret?: string;
  readonly kafkaBrokers: readonly string[];
  readonly converterRegistryUrl?: string;
  readonly extraProperties?: Readonly<Record<string, string>>;
  /** Wait until the connector runs. @defaultValue true */
  readonly waitRunning?: boolean;
}

export interface AddSourceResult {
  readonly record: SourceRecord;
  readonly tablesCreated: readonly string[];
  readonly warnings: readonly string[];
  /** The writer the source commits as. */
  readonly writer: string;
  /** Set only when the writer was registered (or its secret rotated) now with a generated secret. */
  readonly loaderSecret?: string;
}

/** The encodings a new source uses unless told otherwise: exact and easy to read. */
export const DEFAULT_SOURCE_ENCODINGS: Partial<DebeziumEncodings> = {
  decimalHandlingMode: 'string',
  binaryHandlingMode: 'base64',
};

export async function addSource(
  request: AddSourceRequest,
  origin: OriginSchemaReader,
  deps: SourcesDeps,
): Promise<AddSourceResult> {
  const name = validateSourceName(request.name);
  const plan = await planAddSource(request, origin);
  // Every refusal at once (names, keys, unmappable columns, values Debezium would change), before
  // anything is created.
  requirePlanAccepted(name, plan);
  const writer = validateWriterName(request.loaderWriter ?? sourceWriter(name));
  const config = { ...plan.config, writer };
  const encodings = encodingsSchema.parse(config.encodings);
  const mapper = new SourceMapper(sourceConfigSchema.parse(config));
  const tablesCreated = await ensureTables(
    deps.executive,
    mapper.tables.map((t) => t.schema),
  );
  const loaderSecret = request.loaderSecret ?? randomBytes(24).toString('base64url');
  // The writer writes the families its tables map to, nothing else.
  const families = [...new Set(mapper.tables.map((t) => t.schema.family))];
  let registered = await deps.executive.registerWriter(writer, loaderSecret, { families });
  if (!registered && writer === sourceWriter(name)) {
    // The source's own writer, left from an earlier registration: its secret is not known here.
    await deps.executive.rotateWriter(writer, loaderSecret);
    await deps.executive.setWriterScope(writer, { families });
    registered = true;
  }
  const properties = connectorConfig({
    source: name,
    origin: request.origin,
    tables: request.tables.map((t) => t.table),
    keyColumns: Object.fromEntries(
      request.tables.flatMap((t) => (t.keyColumns === undefined ? [] : [[t.table, t.keyColumns]])),
    ),
    format: config.format ?? 'json',
    encodings,
    kafkaBrokers: request.kafkaBrokers,
    ...(request.converterRegistryUrl === undefined
      ? {}
      : { converterRegistryUrl: request.converterRegistryUrl }),
    ...(request.extraProperties === undefined ? {} : { extra: request.extraProperties }),
  });
  await deps.connect.putConfig(name, properties);
  if (request.waitRunning ?? true) await deps.connect.waitRunning(name);
  const record: SourceRecord = {
    name,
    state: 'active',
    config,
    connector: { name, properties: redactProperties(properties) },
    updatedAt: (deps.now ?? Date.now)(),
  };
  await storeSource(deps.executive, record);
  return {
    record,
    tablesCreated,
    warnings: plan.warnings,
    writer,
    ...(registered && request.loaderSecret === undefined ? { loaderSecret } : {}),
  };
}

/** The writer `sources add` registers for a source of its own. */
export function sourceWriter(source: string): string {
  return `source.${source}`;
}

/** The mapping plan `addSource` would register, with every warning and refusal (`--dry-run`). */
export async function planAddSource(
  request: AddSourceRequest,
  origin: OriginSchemaReader,
): Promise<SourcePlan> {
  const name = validateSourceName(request.name);
  return planSource(
    {
      name,
      database: request.origin.database,
      tables: request.tables,
      config: {
        name,
        topicPrefix: name,
        format: request.format ?? 'json',
        encodings: encodingsSchema.parse({ ...DEFAULT_SOURCE_ENCODINGS, ...request.encodings }),
        deadLetterPolicy: request.deadLetterPolicy ?? 'halt',
        schemaChanges: request.schemaChanges ?? 'hold',
        truncate: request.truncate ?? 'apply',
      },
    },
    origin,
  );
}

/** Creates missing tables; an existing table must already have exactly the mapped schema. */
export async function ensureTables(
  executive: ExecutiveAdmin,
  schemas: readonly TableSchema[],
): Promise<string[]> {
  const created: string[] = [];
  for (const schema of schemas) {
    await executive.ensureFamily(schema.family);
    const existing = await executive.table(schema.family, schema.table);
    if (existing === null) {
      await executive.createTable(schema);
      created.push(`${schema.family}.${schema.table}`);
      continue;
    }
    const want = `${fieldsText(schema.fields)} key (${schema.keyFields.join(', ')})`;
    const have = `${fieldsText(existing.fields)} key (${existing.keyFields.join(', ')})`;
    if (want !== have) {
      throw new CuttleError(
        'TABLE_EXISTS',
        `${schema.family}.${schema.table} exists with another schema: it has ${have}; the source maps ${want}`,
        {
          details: { family: schema.family, table: schema.table },
        },
      );
    }
  }
  return created;
}

async function sourcesWriter(executive: ExecutiveAdmin): Promise<ExecutiveAdmin> {
  await ensureTables(executive, [
    { family: SOURCES_FAMILY, table: SOURCES_TABLE, fields: SOURCES_FIELDS, keyFields: SOURCES_KEY },
  ]);
  // Only this command writes the registry; a fresh secret each time needs no secret storage.
  const secret = randomBytes(24).toString('base64url');
  const scope = { families: [SOURCES_FAMILY] };
  if (!(await executive.registerWriter(SOURCES_WRITER, secret, scope))) {
    await executive.rotateWriter(SOURCES_WRITER, secret);
    await executive.setWriterScope(SOURCES_WRITER, scope);
  }
  return executive.withWriter(SOURCES_WRITER, secret);
}

async function storeSource(executive: ExecutiveAdmin, record: SourceRecord): Promise<void> {
  const writer = await sourcesWriter(executive);
  await writer.mutate(SOURCES_FAMILY, [{ table: SOURCES_TABLE, op: 'upsert', values: rowOfSource(record) }]);
}

/** Replaces a registered source's configuration (its mapping after a schema change). */
export async function updateSourceConfig(
  executive: ExecutiveAdmin,
  config: SourceConfigInput,
  now: () => number = Date.now,
): Promise<void> {
  const record = await requireSource(config.name, executive);
  await storeSource(executive, { ...record, config, updatedAt: now() });
}

/** What an operator may change on a registered source without re-registering it. */
export interface SourcePolicies {
  readonly deadLetterPolicy?: 'halt' | 'skip';
  readonly schemaChanges?: 'add-columns' | 'hold';
  readonly truncate?: 'apply' | 'hold' | 'ignore';
}

/**
 * Changes a source's policies in the registry; every loader following it rebuilds its consumer
 * with the new settings on its next poll (and resumes from ctldb's offsets, so nothing is lost).
 */
export async function setSourcePolicies(
  name: string,
  policies: SourcePolicies,
  deps: SourcesDeps,
): Promise<SourceRecord> {
  const changes = Object.fromEntries(Object.entries(policies).filter(([, v]) => v !== undefined));
  if (Object.keys(changes).length === 0)
    throw new CuttleError('BAD_REQUEST', 'name at least one setting to change', {
      details: { source: name },
    });
  const record = await requireSource(name, deps.executive);
  const next = { ...record, config: { ...record.config, ...changes }, updatedAt: (deps.now ?? Date.now)() };
  await storeSource(deps.executive, next);
  return next;
}

export async function listSources(executive: ExecutiveAdmin): Promise<SourceRecord[]> {
  return (await executive.scan(SOURCES_FAMILY, SOURCES_TABLE)).map(sourceFromRow);
}

export async function showSource(
  name: string,
  deps: SourcesDeps,
): Promise<{ record: SourceRecord; connector: ConnectorStatus | null }> {
  const record = await requireSource(name, deps.executive);
  return { record, connector: await deps.connect.status(record.connector.name) };
}

export async function setSourceState(
  name: string,
  state: SourceState,
  deps: SourcesDeps,
): Promise<SourceRecord> {
  const record = await requireSource(name, deps.executive);
  if (state === 'paused') await deps.connect.pause(record.connector.name);
  else await deps.connect.resume(record.connector.name);
  const next = { ...record, state, updatedAt: (deps.now ?? Date.now)() };
  await storeSource(deps.executive, next);
  return next;
}

/** Deletes the connector and the registration; the cuttle tables and their rows stay. */
/**
 * Deletes the source's connector and registration, then the writer `sources add` made for it
 * (`source.<name>`), so that a removed source's secret cannot go on writing its families. A writer
 * named with `--loader-writer` is the operator's (other sources, or the loader itself, may commit
 * as it) and stays. Returns the writer removed, or null.
 */
export async function removeSource(
  name: string,
  deps: SourcesDeps,
): Promise<{ writerRemoved: string | null }> {
  const record = await requireSource(name, deps.executive);
  await deps.connect.remove(record.connector.name);
  const writer = await sourcesWriter(deps.executive);
  await writer.mutate(SOURCES_FAMILY, [{ table: SOURCES_TABLE, op: 'delete', key: { name: record.name } }]);
  const own = sourceWriter(record.name);
  if (record.config.writer !== own) return { writerRemoved: null };
  const shared = (await listSources(deps.executive)).some((s) => s.config.writer === own);
  if (shared || !(await deps.executive.removeWriter(own))) return { writerRemoved: null };
  return { writerRemoved: own };
}

async function requireSource(name: string, executive: ExecutiveAdmin): Promise<SourceRecord> {
  const found = (await listSources(executive)).find((s) => s.name === name);
  if (found === undefined)
    throw new CuttleError('NOT_FOUND', `no source named ${name}`, { details: { source: name } });
  return found;
}
