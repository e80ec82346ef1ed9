/**
 * Health, readiness, per-partition status and Prometheus metrics over plain node:http:
 * - GET /health  200 while the process runs
 * - GET /ready   200 when the loader works (see StatusSource.ready), else 503; { ready, down: [sources] }
 * - GET /status  { ready, sources: [{ source, up, reason, topics }], partitions: [{ topic, partition,
 *                  source, committedNext, highWatermark, lag, halted, waiting }] }
 * - GET /metrics Prometheus text
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from '../../../lib/metrics.ts';
import type { PartitionStatus } from '../pipeline/partition-worker.ts';
import type { SourceState } from '../source-runner.ts';

export interface StatusSource {
  /**
   * Ready: the consumer joined its group and hears from Kafka, and no partition is stuck retrying
   * an unreachable executive or registry (a rate-limit wait is normal operation).
   */
  ready(): boolean;
  statuses(): readonly PartitionStatus[];
  /** Each source, up or down with the reason: a down source stops only itself. */
  sources?(): readonly SourceState[];
}

export class StatusServer {
  readonly #server: Server;
  readonly #host: string;
  readonly #port: number;

  constructor(options: { host: string; port: number; registry: Registry; status: StatusSource }) {
    this.#host = options.host;
    this.#port = options.port;
    const { registry, status } = options;
    this.#server = createServer((request, response) => {
      const send = (code: number, body: unknown, type = 'application/json'): void => {
        response.writeHead(code, { 'content-type': type });
        response.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      const path = (request.url ?? '/').split('?')[0];
      if (path === '/health') return send(200, { status: 'ok' });
      const sources = status.sources?.() ?? [];
      if (path === '/ready') {
        const down = sources.filter((s) => !s.up).map((s) => s.source);
        return send(status.ready() ? 200 : 503, { ready: status.ready(), down });
      }
      if (path === '/status')
        return send(200, { ready: status.ready(), sources, partitions: status.statuses().map(withLag) });
      if (path === '/metrics') {
        registry.metrics().then(
          (text) => send(200, text, registry.contentType),
          (err: unknown) => send(500, { error: { code: 'INTERNAL', message: String(err) } }),
        );
        return undefined;
      }
      return send(404, { error: { code: 'NOT_FOUND', message: `no route ${path ?? ''}`, details: {} } });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#port, this.#host, () => resolve());
    });
    const address = this.#server.address() as AddressInfo;
    return `http://${this.#host}:${address.port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

function withLag(s: PartitionStatus): PartitionStatus & { lag: string | null } {
  const lag =
    s.highWatermark === null || s.committedNext === null
      ? null
      : (BigInt(s.highWatermark) - BigInt(s.committedNext)).toString();
  return { ...s, lag };
}
