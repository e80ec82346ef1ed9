/**
 * The loader's metrics, declared in one place and created at start-up (labels: source, topic,
 * partition). Events per second is `rate(cuttle_loader_events_total[1m])`.
 */
import { Counter, Gauge, Histogram, latencyBuckets, type Registry } from '../../lib/metrics.ts';

const sizeBuckets = [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
const partitionLabels = ['source', 'topic', 'partition'] as const;

export function createLoaderMetrics(registry: Registry) {
  return {
    events: new Counter({
      name: 'cuttle_loader_events_total',
      help: 'Kafka records handled, by outcome (applied, skipped, stale, dead_letter).',
      labelNames: [...partitionLabels, 'outcome'],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'cuttle_loader_batch_mutations',
      help: 'Mutations per committed batch.',
      labelNames: partitionLabels,
      buckets: sizeBuckets,
      registers: [registry],
    }),
    batchLatency: new Histogram({
      name: 'cuttle_loader_batch_latency_seconds',
      help: 'Time from sending a batch to the executive to its commit (last attempt).',
      labelNames: partitionLabels,
      buckets: latencyBuckets,
      registers: [registry],
    }),
    originToLedger: new Histogram({
      name: 'cuttle_loader_origin_to_ledger_seconds',
      help: 'Time from the change committing at the origin (Debezium source.ts_ms) to its batch committing in ctldb.',
      labelNames: ['source', 'topic'],
      buckets: latencyBuckets,
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'cuttle_loader_consumer_lag',
      help: 'Records in the partition not yet in ctldb (high watermark minus stored next offset).',
      labelNames: partitionLabels,
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'cuttle_loader_dead_letters_total',
      help: 'Events sent to the dead-letter queue.',
      labelNames: [...partitionLabels, 'code'],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'cuttle_loader_retries_total',
      help: 'Waits before resending: rate limits (pause), unreachable or failing executive (retry), seeks.',
      labelNames: [...partitionLabels, 'action'],
      registers: [registry],
    }),
    sourceUp: new Gauge({
      name: 'cuttle_loader_source_up',
      help: '1 while a source loads, 0 while it is down (see /status for why); the others go on either way',
      labelNames: ['source'],
      registers: [registry],
    }),
    halted: new Gauge({
      name: 'cuttle_loader_partition_halted',
      help: '1 while a partition is halted (poison event with the halt policy, or a held schema change).',
      labelNames: partitionLabels,
      registers: [registry],
    }),
  };
}

export type LoaderMetrics = ReturnType<typeof createLoaderMetrics>;
