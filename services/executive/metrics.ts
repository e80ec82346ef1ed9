/** The executive's metrics, declared in one place and created at start-up. */
import { Counter, Histogram, createRegistry, latencyBuckets, type Registry } from '../../lib/metrics.ts';

export interface ExecutiveMetrics {
  readonly registry: Registry;
  /** Mutations committed, by family. */
  readonly mutations: Counter<'family'>;
  /** Mutation requests by outcome: applied, duplicate, conflict, rejected, failed. */
  readonly batches: Counter<'outcome'>;
  readonly batchSize: Histogram;
  readonly mutateSeconds: Histogram;
  /** Schema changes committed, by op (create_table, add_fields, drop_table, clear_table). */
  readonly schemaChanges: Counter<'op'>;
  readonly heartbeats: Counter<'outcome'>;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpSeconds: Histogram<'method' | 'route'>;
}

export function createExecutiveMetrics(options: { defaultMetrics?: boolean } = {}): ExecutiveMetrics {
  const registry = createRegistry('executive', options);
  const registers = [registry];
  return {
    registry,
    mutations: new Counter({
      name: 'executive_mutations_total',
      help: 'Mutations committed to ctldb and the ledger.',
      labelNames: ['family'],
      registers,
    }),
    batches: new Counter({
      name: 'executive_batches_total',
      help: 'Mutation requests by outcome.',
      labelNames: ['outcome'],
      registers,
    }),
    batchSize: new Histogram({
      name: 'executive_batch_mutations',
      help: 'Mutations per committed batch.',
      buckets: [1, 10, 100, 1000, 10000],
      registers,
    }),
    mutateSeconds: new Histogram({
      name: 'executive_mutate_seconds',
      help: 'Time to validate and commit a batch.',
      buckets: latencyBuckets,
      registers,
    }),
    schemaChanges: new Counter({
      name: 'executive_schema_changes_total',
      help: 'Schema changes committed.',
      labelNames: ['op'],
      registers,
    }),
    heartbeats: new Counter({
      name: 'executive_heartbeats_total',
      help: 'Heartbeat ledger entries by outcome.',
      labelNames: ['outcome'],
      registers,
    }),
    httpRequests: new Counter({
      name: 'executive_http_requests_total',
      help: 'HTTP requests.',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpSeconds: new Histogram({
      name: 'executive_http_request_seconds',
      help: 'HTTP request latency.',
      labelNames: ['method', 'route'],
      buckets: latencyBuckets,
      registers,
    }),
  };
}
