/**
 * Debezium events written by an Avro converter in the Confluent wire format (Apicurio 3.x writes
 * it by default). The registry port turns bytes into plain values; the rest is shared with JSON.
 * Avro carries no Connect schema per value here, so column encodings come from the source's
 * registered settings.
 */
import { isCuttleError } from '../../../lib/errors.ts';
import type { InboundMessage } from '../message.ts';
import type { DecodedRecords, TransactionEnd } from './change-record.ts';
import type { EventDecoder } from './decoder.ts';
import { keyRow } from './json-decoder.ts';
import { invalidEvent, recordsFromValue, transactionEndFromValue } from './records.ts';
import { isConfluentWireFormat, type SchemaRegistry } from './schema-registry.ts';

export class AvroEventDecoder implements EventDecoder {
  readonly #registry: SchemaRegistry;

  constructor(registry: SchemaRegistry) {
    this.#registry = registry;
  }

  async decode(message: InboundMessage): Promise<DecodedRecords> {
    // Tombstones stay null in Avro too: there is no magic byte to read.
    if (message.value === null) return [];
    const value = await this.#decodePart(message, message.value, 'value');
    const key =
      message.key === null ? null : keyRow(message, await this.#decodePart(message, message.key, 'key'));
    return recordsFromValue(value, { message, key, columns: null });
  }

  async decodeTransactionEnd(message: InboundMessage): Promise<TransactionEnd | null> {
    if (message.value === null) return null;
    return transactionEndFromValue(await this.#decodePart(message, message.value, 'value'), message);
  }

  async #decodePart(message: InboundMessage, buffer: Buffer, part: 'key' | 'value'): Promise<unknown> {
    if (!isConfluentWireFormat(buffer)) {
      throw invalidEvent(message, `${part} is not in the Confluent wire format (magic byte 0 + schema id)`);
    }
    try {
      return await this.#registry.decode(buffer);
    } catch (err) {
      if (isCuttleError(err)) throw err;
      throw invalidEvent(
        message,
        `${part} does not decode with its registered schema: ${(err as Error).message}`,
        err,
      );
    }
  }
}
