/**
 * The Debezium connector settings that decide how a column's value is encoded in an event. They
 * are part of a source's registration (the loader creates the connector with them), so the loader
 * can read values even when events carry no schema (JSON with `schemas.enable=false`).
 * Defaults are Debezium's own (real-stack.md §2.4).
 */
import { z } from 'zod';

export const encodingsSchema = z.object({
  /** `precise`: Connect Decimal bytes; `string`: plain text; `double`: lossy, refused for DECIMAL. */
  decimalHandlingMode: z.enum(['precise', 'string', 'double']).default('precise'),
  /** How BINARY/VARBINARY/BLOB values are written; `bytes` is base64 in JSON and raw in Avro. */
  binaryHandlingMode: z.enum(['bytes', 'base64', 'base64-url-safe', 'hex']).default('bytes'),
  timePrecisionMode: z
    .enum(['adaptive_time_microseconds', 'adaptive', 'connect'])
    .default('adaptive_time_microseconds'),
  /** `long` wraps values above 2^63 into negative longs; `precise` uses a Decimal. */
  bigintUnsignedHandlingMode: z.enum(['long', 'precise']).default('long'),
});

export type DebeziumEncodings = z.output<typeof encodingsSchema>;

export const DEFAULT_ENCODINGS: DebeziumEncodings = encodingsSchema.parse({});

/** The connector properties that produce these encodings. */
export function connectorProperties(encodings: DebeziumEncodings): Record<string, string> {
  return {
    'decimal.handling.mode': encodings.decimalHandlingMode,
    'binary.handling.mode': encodings.binaryHandlingMode,
    'time.precision.mode': encodings.timePrecisionMode,
    'bigint.unsigned.handling.mode': encodings.bigintUnsignedHandlingMode,
  };
}
