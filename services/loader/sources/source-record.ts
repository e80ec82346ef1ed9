/**
 * Registered sources live in ctldb itself, as rows of the cuttle table `cuttle.sources`, written
 * through the executive's mutation API (by the `cuttle-sources` writer) and read through its read
 * API. So the registry needs no API of its own, is exactly as durable and consistent as any
 * control data, and every loader process sees a change on its next poll without a restart.
 * The connector's password is never stored here (rows replicate to every LDB), only the Connect
 * config provider placeholder that names where each Connect worker reads it.
 */
import { z } from 'zod';
import { CuttleError } from '../../../lib/errors.ts';
import type { FieldDef } from '../../../lib/schema/types.ts';
import { SOURCES_FAMILY, SOURCES_TABLE, type SourceState } from '../../../lib/sources/source-row.ts';
import { sourceConfigSchema, type SourceConfigInput } from '../mapping/source-config.ts';
import { isPlaceholder } from './secret-ref.ts';

// The row's location and states are shared with the executive's admin page (lib/sources).
export {
  SOURCES_FAMILY,
  SOURCES_TABLE,
  SOURCES_WRITER,
  validateSourceName,
  type SourceState,
} from '../../../lib/sources/source-row.ts';
export const SOURCES_FIELDS: readonly FieldDef[] = [
  { name: 'name', type: 'string' },
  { name: 'state', type: 'string' },
  { name: 'config', type: 'text' },
  { name: 'connector', type: 'text' },
  { name: 'updated_at', type: 'integer' },
];
export const SOURCES_KEY = ['name'];

export interface ConnectorSpec {
  readonly name: string;
  /** Connector properties; secrets are `${provider:…}` placeholders, anything else `[redacted]`. */
  readonly properties: Readonly<Record<string, string>>;
}

export interface SourceRecord {
  readonly name: string;
  readonly state: SourceState;
  readonly config: SourceConfigInput;
  readonly connector: ConnectorSpec;
  readonly updatedAt: number;
}

const rowSchema = z.object({
  name: z.string(),
  state: z.enum(['active', 'paused']),
  config: z.string(),
  connector: z.string(),
  updated_at: z.union([z.number(), z.string()]),
});

const connectorSchema = z.object({ name: z.string(), properties: z.record(z.string(), z.string()) });

/** A row as the executive's read API returns it. */
export function sourceFromRow(row: unknown): SourceRecord {
  const parsed = rowSchema.safeParse(row);
  if (!parsed.success)
    throw new CuttleError(
      'INTERNAL',
      `a row of ${SOURCES_FAMILY}.${SOURCES_TABLE} is malformed: ${parsed.error.message}`,
    );
  const { name, state, config, connector, updated_at } = parsed.data;
  return {
    name,
    state,
    config: sourceConfigSchema.parse(JSON.parse(config)),
    connector: connectorSchema.parse(JSON.parse(connector)),
    updatedAt: Number(updated_at),
  };
}

/** The row values of a source, for an upsert. */
export function rowOfSource(record: SourceRecord): Record<string, string | number> {
  return {
    name: record.name,
    state: record.state,
    config: JSON.stringify(record.config),
    connector: JSON.stringify(record.connector),
    updated_at: record.updatedAt,
  };
}

/** Secret-looking properties become `[redacted]` unless they are config provider placeholders. */
export function redactProperties(properties: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(properties))
    out[k] = /password|secret/i.test(k) && !isPlaceholder(v) ? '[redacted]' : v;
  return out;
}
