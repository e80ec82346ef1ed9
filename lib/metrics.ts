/**
 * Prometheus metrics. Each service builds its own registry at start-up (so tests and the embedded
 * mode can run several services in one process) and declares its metrics in one module.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

export function createRegistry(service: string, options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'cuttle_' });
  return registry;
}

/** Latency buckets in seconds, from 100 µs to 30 s. */
export const latencyBuckets = [
  0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];
