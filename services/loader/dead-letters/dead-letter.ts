/**
 * The dead-letter port. A dead letter keeps the whole Kafka record (base64), where it came from
 * and why it can never be applied, so an operator can inspect it and replay it once the cause
 * is fixed. The BullMQ adapter stores them durably; tests use the in-memory sink.
 */
import { CuttleError } from '../../../lib/errors.ts';
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

/** What an operator asked for a letter: replay it (retry) or give it up (drop). */
export type LetterRequest = 'none' | 'retry' | 'drop';

export interface StoredLetter extends DeadLetter {
  /** `<topic>/<partition>/<offset>`: one letter per Kafka record. */
  readonly id: string;
  readonly request: LetterRequest;
}

/** The dead-letter queue as the CLI and the loaders' replay loop use it. */
export interface DeadLetterStore extends DeadLetterSink {
  list(): Promise<StoredLetter[]>;
  get(id: string): Promise<StoredLetter | undefined>;
  /** Records an operator's request; the loader that can act on the letter carries it out. */
  request(id: string, request: Exclude<LetterRequest, 'none'>): Promise<StoredLetter>;
  remove(id: string): Promise<void>;
  close(): Promise<void>;
}

export function letterId(letter: Pick<DeadLetter, 'topic' | 'partition' | 'offset'>): string {
  return `${letter.topic}/${letter.partition}/${letter.offset}`;
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
export class MemoryDeadLetterSink implements DeadLetterStore {
  readonly #letters = new Map<string, StoredLetter>();

  get letters(): StoredLetter[] {
    return [...this.#letters.values()];
  }

  put(letter: DeadLetter): Promise<void> {
    const id = letterId(letter);
    this.#letters.set(id, { ...letter, id, request: 'none' });
    return Promise.resolve();
  }

  list(): Promise<StoredLetter[]> {
    return Promise.resolve(this.letters);
  }

  get(id: string): Promise<StoredLetter | undefined> {
    return Promise.resolve(this.#letters.get(id));
  }

  request(id: string, request: Exclude<LetterRequest, 'none'>): Promise<StoredLetter> {
    const letter = this.#letters.get(id);
    if (letter === undefined) return Promise.reject(notFound(id));
    const next = { ...letter, request };
    this.#letters.set(id, next);
    return Promise.resolve(next);
  }

  remove(id: string): Promise<void> {
    this.#letters.delete(id);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export function notFound(id: string): CuttleError {
  return new CuttleError('NOT_FOUND', `no dead letter ${id}`, { details: { id } });
}
