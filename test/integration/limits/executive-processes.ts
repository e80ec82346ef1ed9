/**
 * Real executives as child processes (services/executive/main.ts through tsx) sharing one ctldb
 * and one Redis, plus the small client and "loader" the limits tests drive them with.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../support/free-port.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export interface Response<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export class ExecutiveProcess {
  readonly url: string;
  readonly adminToken: string;
  readonly #child: ChildProcess;
  #output = '';

  private constructor(url: string, adminToken: string, child: ChildProcess) {
    this.url = url;
    this.adminToken = adminToken;
    this.#child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.#output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.#output += chunk.toString('utf8')));
  }

  /** Starts `services/executive/main.ts` with EXECUTIVE_* settings; resolves once /healthz answers. */
  static async start(env: Record<string, string>): Promise<ExecutiveProcess> {
    const port = await freePort();
    const adminToken = env.EXECUTIVE_ADMIN_TOKEN ?? 'limits-test-admin';
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/executive/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        EXECUTIVE_PORT: String(port),
        EXECUTIVE_ADMIN_TOKEN: adminToken,
        EXECUTIVE_HEARTBEAT_INTERVAL_MS: '0',
        EXECUTIVE_LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const executive = new ExecutiveProcess(`http://127.0.0.1:${port}`, adminToken, child);
    for (let attempt = 0; attempt < 300; attempt++) {
      if (child.exitCode !== null) break;
      const ok = await fetch(`${executive.url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return executive;
      await delay(100);
    }
    await executive.stop();
    throw new Error(`executive did not start:\n${executive.output}`);
  }

  get output(): string {
    return this.#output;
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response<T>> {
    const response = await fetch(new URL(path, this.url), {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text === '' || !(response.headers.get('content-type') ?? '').includes('json')
        ? text
        : JSON.parse(text)) as T,
      headers: response.headers,
    };
  }

  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<Response<T>> {
    return this.request<T>(method, path, body, { authorization: `Bearer ${this.adminToken}` });
  }

  mutate<T = unknown>(writer: Writer, family: string, body: unknown): Promise<Response<T>> {
    return this.request<T>('POST', `/families/${family}/mutations`, body, {
      'x-cuttle-writer': writer.name,
      'x-cuttle-secret': writer.secret,
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = once(this.#child, 'exit');
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

export interface Writer {
  readonly name: string;
  readonly secret: string;
}

export interface LoaderRun {
  readonly batches: number;
  /** Responses by status: 200 applied, 429 waited and resent, anything else is a failure. */
  readonly statuses: Record<number, number>;
  readonly elapsedMs: number;
}

/**
 * Sends `batches` batches like a loader: batch i upserts rows i*size … i*size+size-1 and row 0
 * (its value = i, so the last batch wins if order holds), with the stream offset i -> i+1. Every
 * attempt goes to the next executive in turn; a 429 waits `details.retryAfterMs` and resends the
 * same batch; a 5xx or network error waits 100 ms and resends (the offset makes that safe).
 */
export async function runLoader(
  executives: readonly ExecutiveProcess[],
  writer: Writer,
  options: {
    family: string;
    table: string;
    batches: number;
    size: number;
    stream?: string;
    between?: () => Promise<void>;
  },
): Promise<LoaderRun> {
  const statuses: Record<number, number> = {};
  const stream = options.stream ?? 'topic/0';
  const started = performance.now();
  let attempt = 0;
  for (let i = 0; i < options.batches; i++) {
    const mutations = [
      ...Array.from({ length: options.size }, (_, k) => ({
        table: options.table,
        values: { id: 1 + i * options.size + k, name: `row-${i}-${k}`, note: 'x'.repeat(20) },
      })),
      { table: options.table, values: { id: 0, name: String(i), note: null } },
    ];
    const body = {
      mutations,
      offsets: [{ stream, expected: i === 0 ? null : String(i), next: String(i + 1) }],
    };
    for (;;) {
      const executive = executives[attempt++ % executives.length];
      if (executive === undefined) throw new Error('no executive');
      const response = await executive
        .mutate<{ error?: { code: string; details: { retryAfterMs?: number } } }>(
          writer,
          options.family,
          body,
        )
        .catch(() => ({ status: 0, body: undefined, headers: new Headers() }));
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      if (response.status === 200) break;
      if (response.status === 429) await delay(response.body?.error?.details.retryAfterMs ?? 100);
      else if (response.status === 0 || response.status >= 500) await delay(100);
      else throw new Error(`batch ${i}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    await options.between?.();
  }
  return { batches: options.batches, statuses, elapsedMs: performance.now() - started };
}
