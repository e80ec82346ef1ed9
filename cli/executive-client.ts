/** A small HTTP client for the executive's API; failures become CuttleErrors with the server's code. */
import { CuttleError, type ErrorCode } from '../lib/errors.ts';

interface ErrorBody {
  readonly error?: {
    readonly code?: string;
    readonly message?: string;
    readonly details?: Record<string, unknown>;
  };
}

export class ExecutiveClient {
  readonly #base: string;
  readonly #adminToken: string | undefined;

  constructor(base: string, adminToken: string | undefined) {
    this.#base = base;
    this.#adminToken = adminToken;
  }

  get base(): string {
    return this.#base;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.#adminToken !== undefined) headers.authorization = `Bearer ${this.#adminToken}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(new URL(path, this.#base), {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new CuttleError('UNAVAILABLE', `cannot reach the executive at ${this.#base}`, {
        cause: err,
        details: { executive: this.#base },
      });
    }
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (response.ok) return parsed as T;
    const error = (parsed as ErrorBody | undefined)?.error;
    const code = (error?.code ?? (response.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST')) as ErrorCode;
    throw new CuttleError(code, error?.message ?? `HTTP ${response.status}`, {
      details: error?.details ?? {},
    });
  }
}
