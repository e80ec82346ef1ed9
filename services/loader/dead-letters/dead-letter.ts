/**
 * The dead-letter port. A dead letter keeps the whole Kafka record (base64), where it came from
 * and why it can never be applied, so an operator can inspect it and replay it once the cause
 * is fixed. The BullMQ adapter stores them durably; tests use the in-memory sink.
 */
import type { SourcePosition } from '../decode/change-record.ts';
import type { InboundMessage } from '../message.ts';

export interface DeadLetter {
  readonly source: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Base64 of the record's key and value (null for none). */
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly position: SourcePosition | null;
  /** Stable error code (lib/errors.ts) or HELD for a schema or truncate hold. */
  readonly code: string;
  readonly reason: string;
  /** skip: the partition moved on; halt: the partition stopped at this event. */
  readonly policy: 'skip' | 'halt';
  readonly atMs: number;
}

export interface DeadLetterSink {
  put(letter: DeadLetter): Promise<void>;
}

export function deadLetterOf(
  source: string,
  message: InboundMessage,
  fields: Pick<DeadLetter, 'code' | 'reason' | 'policy' | 'position' | 'atMs'>,
): DeadLetter {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    const first = Array.isArray(value)
      ? (value as (Buffer | string)[])[0]
      : (value as Buffer | string | undefined);
    if (first !== undefined) headers[name] = typeof first === 'string' ? first : first.toString('utf8');
  }
  return {
    source,
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key?.toString('base64') ?? null,
    value: message.value?.toString('base64') ?? null,
    headers,
    ...fields,
  };
}

/** Keeps dead letters in memory (tests, embedded mode without Redis). */
export class MemoryDeadLetterSink implements DeadLetterSink {
  readonly letters: DeadLetter[] = [];
  put(letter: DeadLetter): Promise<void> {
    this.letters.push(letter);
    return Promise.resolve();
  }
}
