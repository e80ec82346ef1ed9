/**
 * Kafka helpers for integration tests: a client for the stack's broker, waiting for a topic,
 * reading N messages with a deadline, and removing a test's topics afterwards.
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type * as Avsc from 'avsc';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { stackEnv } from './stack-env.ts';

export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  /** null for a tombstone. */
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

export interface ConsumeOptions {
  /** Stop after this many messages (default 1). */
  readonly count?: number;
  /** Reject when fewer messages arrived by then (default 60 s). */
  readonly timeoutMs?: number;
  /** Count only the messages this accepts (the others are read and skipped). */
  readonly accept?: (message: ConsumedMessage) => boolean;
}

/** A kafkajs client for the stack's broker(s), quiet unless something is wrong. */
export function testKafka(clientId = 'cuttle-test'): Kafka {
  return new Kafka({ clientId, brokers: stackEnv.kafkaBrokers, logLevel: logLevel.ERROR });
}

/** Resolves once `topic` exists (for instance once Debezium has written its first event). */
export async function waitForTopic(topic: string, timeoutMs = 60_000): Promise<void> {
  const admin = testKafka('cuttle-test-admin').admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    while (!(await admin.listTopics()).includes(topic)) {
      if (Date.now() > deadline) throw new Error(`topic ${topic} did not appear within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads `topic` from the beginning with a fresh consumer group until `count` accepted messages
 * arrived, then returns them in order. Rejects with what did arrive when the time runs out.
 */
export async function consumeMessages(
  topic: string,
  options: ConsumeOptions = {},
): Promise<ConsumedMessage[]> {
  const { count = 1, timeoutMs = 60_000, accept = () => true } = options;
  const consumer = testKafka('cuttle-test-consumer').consumer({ groupId: `cuttle-test-${randomUUID()}` });
  const accepted: ConsumedMessage[] = [];
  let seen = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`${accepted.length}/${count} messages from ${topic} in ${timeoutMs} ms (${seen} read)`),
          ),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ topic: t, partition, message }) => {
            seen++;
            const consumed = { topic: t, partition, ...message, headers: message.headers ?? {} };
            if (accepted.length < count && accept(consumed)) accepted.push(consumed);
            if (accepted.length === count) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        });
    });
    return accepted;
  } finally {
    await consumer.disconnect();
  }
}

/** Deletes every topic whose name starts with `prefix` (a test's own topics, once it is done). */
export async function deleteTopicsWithPrefix(prefix: string): Promise<string[]> {
  const admin = testKafka('cuttle-test-admin').admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
    return topics;
  } finally {
    await admin.disconnect();
  }
}

/** Parses a JSON-converted record value or key (null stays null). */
export function jsonOf(bytes: Buffer | null): unknown {
  return bytes === null ? null : JSON.parse(bytes.toString('utf8'));
}

/**
 * Avro `long` as BigInt. Debezium's envelopes carry `ts_ns` (nanoseconds since the epoch, about
 * 1.8e18), beyond Number.MAX_SAFE_INTEGER, and avsc refuses to decode such a long as a number
 * ("potential precision loss").
 */
function bigintLongType(): Avsc.types.LongType {
  // The avsc instance the registry client itself uses (a dependency of it, not of cuttle).
  const clientRequire = createRequire(
    createRequire(import.meta.url).resolve('@kafkajs/confluent-schema-registry'),
  );
  const avsc = clientRequire('avsc') as typeof Avsc;
  return avsc.types.LongType.__with({
    fromBuffer: (buffer: Buffer) => buffer.readBigInt64LE(),
    toBuffer: (value: bigint) => {
      const buffer = Buffer.alloc(8);
      buffer.writeBigInt64LE(value);
      return buffer;
    },
    fromJSON: (value: number | string) => BigInt(value),
    toJSON: (value: bigint) => Number(value),
    isValid: (value: unknown) => typeof value === 'bigint',
    compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
  });
}

/** A Confluent-API registry client for the stack's registry that decodes Avro longs as BigInt. */
export function testSchemaRegistry(): SchemaRegistry {
  return new SchemaRegistry(
    { host: stackEnv.registryUrl },
    { [SchemaType.AVRO]: { registry: { long: bigintLongType() } } },
  );
}
