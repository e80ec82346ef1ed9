/**
 * The dead-letter port. A dead letter keeps the whole Kafka record (base64), where it came from
 * and why it can never be applied, so an operator can inspect it and replay it once the cause
 * is fixed. The BullMQ adapter stores them durably; tests use the in-memory sink.
 *
 * It lives in lib/ because two services use it: loaders write letters and carry out requests,
 * the executive's admin page lists them and records retry/drop requests (services never import
 * each other). Building a letter from a Kafka record stays in the loader (dead-letter-of.ts).
 */
import { CuttleError } from '../errors.ts';

/** Where the event sat at the origin: the loader's SourcePosition, kept as it was written. */
export interface LetterPosition {
  readonly file: string | null;
  readonly pos: number | null;
  readonly row: number | null;
  readonly gtid: string | null;
  readonly snapshot: boolean;
  readonly txOrder: number | null;
  readonly txId?: string | null;
}

export interface DeadLetter {
  readonly source: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Base64 of the record's key and value (null for none). */
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly position: LetterPosition | null;
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
