/**
 * The schema-registry port the Avro decoder needs: decode one Confluent wire-format buffer
 * (byte 0 = magic 0, bytes 1-4 = schema id, then Avro binary). Implementations must return
 * longs beyond 2^53 as `bigint` (never a rounded number) and Avro bytes as `Buffer`, and throw a
 * retriable CuttleError when the registry cannot be reached.
 */
export interface SchemaRegistry {
  decode(buffer: Buffer): Promise<unknown>;
}

export const CONFLUENT_MAGIC_BYTE = 0;
/** Magic byte plus the 4-byte schema id. */
export const CONFLUENT_HEADER_BYTES = 5;

export function isConfluentWireFormat(buffer: Buffer): boolean {
  return buffer.length > CONFLUENT_HEADER_BYTES - 1 && buffer[0] === CONFLUENT_MAGIC_BYTE;
}
