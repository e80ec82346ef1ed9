/**
 * Kafka Connect's REST API, for what sources need: create or update a connector, read its state,
 * pause, resume and delete it. https://kafka.apache.org/documentation/#connect_rest
 * In lib/ because the loader, the CLI and the executive's admin page (pause/resume) all use it.
 */
import { CuttleError, ensureError } from '../errors.ts';

export interface ConnectorStatus {
  readonly connector: { readonly state: string };
  readonly tasks: readonly { readonly id: number; readonly state: string; readonly trace?: string }[];
}

export class ConnectClient {
  readonly #url: string;

  constructor(url: string) {
    this.#url = url;
  }

  async putConfig(name: string, properties: Readonly<Record<string, string>>): Promise<void> {
    await this.#call('PUT', `/connectors/${encodeURIComponent(name)}/config`, properties);
  }

  /** null when no connector has that name. */
  async status(name: string): Promise<ConnectorStatus | null> {
    return this.#call<ConnectorStatus>(
      'GET',
      `/connectors/${encodeURIComponent(name)}/status`,
      undefined,
      true,
    );
  }

  async pause(name: string): Promise<void> {
    await this.#call('PUT', `/connectors/${encodeURIComponent(name)}/pause`);
  }

  async resume(name: string): Promise<void> {
    await this.#call('PUT', `/connectors/${encodeURIComponent(name)}/resume`);
  }

  /** Deletes the connector and waits until Connect no longer reports it (deletion is asynchronous). */
  async remove(name: string, timeoutMs = 30_000): Promise<void> {
    await this.#call('DELETE', `/connectors/${encodeURIComponent(name)}`, undefined, true);
    const deadline = Date.now() + timeoutMs;
    while ((await this.status(name)) !== null) {
      if (Date.now() > deadline)
        throw new CuttleError(
          'UNAVAILABLE',
          `connector ${name} still exists ${timeoutMs} ms after its deletion`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Resolves once the connector and all its tasks run; rejects with the task's trace on failure. */
  async waitRunning(name: string, timeoutMs = 120_000): Promise<ConnectorStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.status(name);
      const failed = status?.tasks.find((t) => t.state === 'FAILED');
      if (failed !== undefined) {
        throw new CuttleError(
          'BAD_REQUEST',
          `connector ${name} failed: ${failed.trace?.split('\n')[0] ?? 'no trace'}`,
          {
            details: { connector: name },
          },
        );
      }
      if (
        status?.connector.state === 'RUNNING' &&
        status.tasks.length > 0 &&
        status.tasks.every((t) => t.state === 'RUNNING')
      ) {
        return status;
      }
      if (Date.now() > deadline) {
        throw new CuttleError('UNAVAILABLE', `connector ${name} is not running after ${timeoutMs} ms`, {
          details: { connector: name, status },
        });
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async #call<T>(method: string, path: string, body?: unknown, allowMissing = false): Promise<T | null> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.#url), {
        method,
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new CuttleError(
        'UNAVAILABLE',
        `Kafka Connect at ${this.#url} is unreachable: ${ensureError(err).message}`,
        { cause: err },
      );
    }
    const text = await response.text();
    if (response.status === 404 && allowMissing) return null;
    if (!response.ok) {
      const message = (() => {
        try {
          return (JSON.parse(text) as { message?: string }).message ?? text;
        } catch {
          return text;
        }
      })();
      const code =
        response.status >= 500 ? 'UNAVAILABLE' : response.status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST';
      throw new CuttleError(code, `Kafka Connect ${method} ${path}: ${response.status} ${message}`, {
        details: { status: response.status },
      });
    }
    return text === '' ? null : (JSON.parse(text) as T);
  }
}
