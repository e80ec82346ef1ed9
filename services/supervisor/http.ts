/**
 * The supervisor's small HTTP surface: `/health` (200 unless the follower stopped for good),
 * `/ready` (200 once the private follower is caught up), `/metrics` (Prometheus text).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Service } from '../../lib/lifecycle.ts';
import type { Registry } from '../../lib/metrics.ts';

export interface HealthProbes {
  /** null when healthy, else why not. */
  problem(): string | null;
  ready(): boolean;
  /** Details shown by /health and /ready. */
  status(): Record<string, unknown>;
}

export class SupervisorHttp implements Service {
  readonly name = 'supervisor-http';
  readonly #server: Server;
  readonly #host: string;
  readonly #port: number;

  constructor(probes: HealthProbes, registry: Registry, options: { host: string; port: number }) {
    this.#host = options.host;
    this.#port = options.port;
    this.#server = createServer((req, res) => {
      const send = (status: number, body: string, type = 'application/json'): void => {
        res.writeHead(status, { 'content-type': type }).end(body);
      };
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/health') {
        const problem = probes.problem();
        send(
          problem === null ? 200 : 503,
          JSON.stringify({ ok: problem === null, problem, ...probes.status() }),
        );
      } else if (path === '/ready') {
        const ready = probes.ready();
        send(ready ? 200 : 503, JSON.stringify({ ready, ...probes.status() }));
      } else if (path === '/metrics') {
        registry.metrics().then(
          (text) => send(200, text, registry.contentType),
          (err: unknown) => send(500, JSON.stringify({ error: String(err) })),
        );
      } else {
        send(404, JSON.stringify({ error: { code: 'NOT_FOUND', message: `no route ${path}`, details: {} } }));
      }
    });
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    return (this.#server.address() as AddressInfo | null)?.port ?? this.#port;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#port, this.#host, () => resolve());
    });
  }

  stop(): Promise<void> {
    if (!this.#server.listening) return Promise.resolve();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
