/**
 * A Kafka record as the loader sees it, in our own words: the consumer adapter turns each driver
 * message into this shape, so nothing below the adapter knows which Kafka client is in use.
 */
export type HeaderValue = Buffer | string | readonly (Buffer | string)[] | undefined;

export interface InboundMessage {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offset as a decimal string (offsets are 64-bit). */
  readonly offset: string;
  readonly key: Buffer | null;
  /** `null` is a tombstone. */
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, HeaderValue>>;
  /** Broker timestamp, milliseconds since the epoch. */
  readonly timestampMs: number;
}

/** The first value of a header as a string, or undefined when absent. */
export function headerText(message: InboundMessage, name: string): string | undefined {
  const raw = message.headers[name];
  const first = Array.isArray(raw)
    ? (raw as readonly (Buffer | string)[])[0]
    : (raw as Buffer | string | undefined);
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}
