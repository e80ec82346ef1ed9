/**
 * The Kafka Connect schema that JsonConverter puts next to every payload when
 * `schemas.enable=true`. The loader only needs the schema of each row column: its Connect type,
 * its semantic name (`io.debezium.time.MicroTimestamp`, `org.apache.kafka.connect.data.Decimal`,
 * …) and parameters (a decimal's `scale`, a BIT's `length`).
 * See https://debezium.io/documentation/reference/stable/connectors/mariadb.html#mariadb-data-types
 */
import { z } from 'zod';

export interface ConnectField {
  readonly type: string;
  readonly optional: boolean;
  readonly name: string | null;
  readonly parameters: Readonly<Record<string, string>>;
}

const fieldSchema = z.object({
  type: z.string(),
  field: z.string(),
  optional: z.boolean().default(false),
  name: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
});

const structSchema = z.object({
  type: z.literal('struct'),
  fields: z.array(z.looseObject({ field: z.string() })),
});

export const DECIMAL_SCHEMA_NAME = 'org.apache.kafka.connect.data.Decimal';

/**
 * Columns of the `after` (or else `before`) struct of an envelope's value schema, by column
 * name; null when the schema is absent or not an envelope.
 */
export function rowColumnsOf(valueSchema: unknown): ReadonlyMap<string, ConnectField> | null {
  const envelope = structSchema.safeParse(valueSchema);
  if (!envelope.success) return null;
  const row =
    envelope.data.fields.find((f) => f.field === 'after') ??
    envelope.data.fields.find((f) => f.field === 'before');
  const struct = structSchema.safeParse(row);
  if (!struct.success) return null;
  const columns = new Map<string, ConnectField>();
  for (const raw of struct.data.fields) {
    const parsed = fieldSchema.safeParse(raw);
    if (!parsed.success) continue;
    const { field, type, optional, name, parameters } = parsed.data;
    columns.set(field, { type, optional, name: name ?? null, parameters: stringParameters(parameters) });
  }
  return columns;
}

function stringParameters(raw: Record<string, unknown> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) out[k] = String(v);
  return out;
}
