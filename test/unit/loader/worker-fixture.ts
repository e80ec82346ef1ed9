/** A PartitionWorker over fakes: a recording consumer and a model of the executive's offsets. */
import { MemoryDeadLetterSink } from '../../../lib/dead-letters/dead-letter.ts';
import { CuttleError } from '../../../lib/errors.ts';
import { silentLogger } from '../../../lib/logging.ts';
import { createRegistry } from '../../../lib/metrics.ts';
import type { SendResult } from '../../../services/loader/batching/failure-policy.ts';
import type { TopicPartition } from '../../../services/loader/batching/offsets.ts';
import type {
  BatchContext,
  ChangeConsumer,
  FetchedBatch,
} from '../../../services/loader/consumer/consumer.ts';
import { JsonEventDecoder } from '../../../services/loader/decode/json-decoder.ts';
import type { CommitRequest } from '../../../services/loader/executive/executive-client.ts';
import { sourceConfigSchema } from '../../../services/loader/mapping/source-config.ts';
import { SourceMapper } from '../../../services/loader/mapping/source-mapper.ts';
import type { InboundMessage } from '../../../services/loader/message.ts';
import { createLoaderMetrics } from '../../../services/loader/metrics.ts';
import { PartitionWorker } from '../../../services/loader/pipeline/partition-worker.ts';
import type { TransactionTracker } from '../../../services/loader/pipeline/transactions.ts';
import { envelope, message } from '../../fixtures/debezium/envelopes.ts';

export const tp = { topic: 'ctl.ctl.widgets', partition: 0 };
export const stream = 'ctl.ctl.widgets/0';

export class FakeConsumer implements ChangeConsumer {
  readonly calls: string[] = [];
  start(): Promise<void> {
    return Promise.resolve();
  }
  seek(_tp: TopicPartition, offset: string): void {
    this.calls.push(`seek ${offset}`);
  }
  earliestOffset(): Promise<string> {
    return Promise.resolve('0');
  }
  lastActivityMs(): number | null {
    return 0;
  }
  pause(): void {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

/** A model of the executive's exactly-once offsets, with scripted failures first. */
export class FakeExecutive {
  readonly stored = new Map<string, string>();
  readonly applied: CommitRequest[] = [];
  readonly script: SendResult[] = [];
  offsetFailures = 0;

  storedOffsets(): Promise<Map<string, string>> {
    if (this.offsetFailures > 0) {
      this.offsetFailures--;
      return Promise.reject(new CuttleError('UNAVAILABLE', 'executive unreachable'));
    }
    return Promise.resolve(new Map(this.stored));
  }

  commit(request: CommitRequest): Promise<SendResult> {
    const scripted = this.script.shift();
    if (scripted !== undefined) return Promise.resolve(scripted);
    const stored = (stream: string) => this.stored.get(stream) ?? null;
    const moves = request.offsets.some((o) => o.expected !== o.next);
    if (moves && request.offsets.every((o) => stored(o.stream) === o.next)) {
      return Promise.resolve({ kind: 'committed', status: 'duplicate' });
    }
    if (!request.offsets.every((o) => stored(o.stream) === o.expected)) {
      const details = {
        stored: Object.fromEntries(request.offsets.map((o) => [o.stream, stored(o.stream)])),
      };
      return Promise.resolve({
        kind: 'rejected',
        httpStatus: 409,
        code: 'OFFSET_CONFLICT',
        message: 'conflict',
        details,
        retryAfterMs: null,
      });
    }
    for (const o of request.offsets) this.stored.set(o.stream, o.next);
    this.applied.push(request);
    return Promise.resolve({ kind: 'committed', status: 'applied' });
  }

  /** The Kafka offset update of each applied request. */
  get kafkaOffsets(): unknown[] {
    return this.applied.map((r) => r.offsets.find((o) => !o.stream.endsWith('@binlog')));
  }
}

export function setup(
  policy: 'halt' | 'skip' = 'halt',
  options: { transactions?: TransactionTracker; transactionWaitMs?: number } = {},
) {
  const config = sourceConfigSchema.parse({
    name: 'origin',
    topicPrefix: 'ctl',
    deadLetterPolicy: policy,
    encodings: { decimalHandlingMode: 'string' },
    tables: [
      {
        source: { database: 'ctl', table: 'widgets' },
        target: { family: 'shop', table: 'widgets' },
        columns: [
          { name: 'id', type: 'bigint(20)' },
          { name: 'name', type: 'varchar(50)' },
        ],
        keyColumns: ['id'],
      },
    ],
  });
  const consumer = new FakeConsumer();
  const executive = new FakeExecutive();
  const deadLetters = new MemoryDeadLetterSink();
  const slept: number[] = [];
  const worker = new PartitionWorker(
    tp,
    {
      source: 'origin',
      mapper: new SourceMapper(config),
      decoder: new JsonEventDecoder(),
      defaultFamily: 'shop',
      held: new Map(),
      ...(options.transactions === undefined ? {} : { transactions: options.transactions }),
    },
    {
      consumer,
      executive,
      deadLetters,
      metrics: createLoaderMetrics(createRegistry('loader', { defaultMetrics: false })),
      log: silentLogger(),
      limits: { maxMutations: 2, maxBytes: 1 << 20, maxEvents: 100, maxWaitMs: 50 },
      now: options.transactions === undefined ? () => 1_000 : Date.now,
      transactionWaitMs: options.transactionWaitMs ?? 2000,
      sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    },
  );
  const consumed: string[] = [];
  const ctx: BatchContext = {
    isCurrent: () => true,
    heartbeat: () => Promise.resolve(),
    consumed: (next) => {
      consumed.push(next);
      return Promise.resolve();
    },
  };
  return { worker, consumer, executive, deadLetters, slept, consumed, ctx };
}

export const insert = (offset: number, id: number, name = `w${id}`): InboundMessage =>
  message({ offset: String(offset), key: { id }, value: envelope({ op: 'c', after: { id, name } }) });
export const fetched = (fetchedOffset: string, messages: InboundMessage[]): FetchedBatch => ({
  ...tp,
  fetchedOffset,
  highWatermark: '100',
  messages,
});
