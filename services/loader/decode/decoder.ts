/**
 * The decoding port: one Kafka record in, zero or more change records out. A thrown CuttleError
 * with `retriable: false` means the event can never be decoded (it goes to the dead-letter
 * policy); a retriable one (registry unreachable) means try again later.
 */
import type { InboundMessage } from '../message.ts';
import type { DecodedRecords, TransactionEnd } from './change-record.ts';

export interface EventDecoder {
  decode(message: InboundMessage): Promise<DecodedRecords>;
  /** A record of the transaction topic: the end of a transaction, or null (BEGIN, tombstone). */
  decodeTransactionEnd(message: InboundMessage): Promise<TransactionEnd | null>;
}
