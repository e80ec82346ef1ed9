/**
 * The executive's HTTP API as the loader uses it: commit a batch with its offsets, and read the
 * offsets ctldb stores for this writer. `commit` never throws for an HTTP answer: every reply
 * becomes a SendResult for the failure policy to judge (batching/failure-policy.ts), and only a
 * network failure or timeout is `unreachable`.
 */
import { CuttleError, ensureError } from '../../../lib/errors.ts';
import type { SendResult } from '../batching/failure-policy.ts';
import type { OffsetUpdate } from '../batching/offsets.ts';
import type { Mutation } from '../mapping/source-mapper.ts';

export interface ExecutiveClientOptions {
  /** Base URL, e.g. http://127.0.0.1:7070 */
  readonly url: string;
  readonly writer: string;
  readonly secret: string;
  /** Per-request timeout. @defaultValue 30000 */
  readonly timeoutMs?: number;
  /** Injected for tests of the retry logic; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

export interface CommitRequest {
  readonly family: string;
  readonly mutations: readonly Mutation[];
  readonly offsets: readonly OffsetUpdate[];
}

interface ErrorBody {
  readonly error?: { readonly code?: unknown; readonly message?: unknown; readonly details?: unknown };
}

export class ExecutiveClient {
  readonly #options: ExecutiveClientOptions;
  readonly #fetch: typeof fetch;

  constructor(options: ExecutiveClientOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
  }

  get writer(): string {
    return this.#options.writer;
  }

  async commit(request: CommitRequest): Promise<SendResult> {
    const path = `/families/${encodeURIComponent(request.family)}/mutations`;
    let response: Response;
    let text: string;
    try {
      response = await this.#request('POST', path, {
        mutations: request.mutations,
        offsets: request.offsets,
      });
      text = await response.text();
    } catch (err) {
      return { kind: 'unreachable', error: ensureError(err) };
    }
    if (response.ok) {
      const status = parseJson(text) as { status?: unknown } | undefined;
      return { kind: 'committed', status: status?.status === 'duplicate' ? 'duplicate' : 'applied' };
    }
    return rejection(response, text);
  }

  /** stream → next offset, as ctldb stores them for this writer. */
  async storedOffsets(): Promise<Map<string, string>> {
    const path = `/writers/${encodeURIComponent(this.#options.writer)}/offsets`;
    let response: Response;
    let text: string;
    try {
      response = await this.#request('GET', path);
      text = await response.text();
    } catch (err) {
      throw new CuttleError(
        'UNAVAILABLE',
        `executive unreachable at ${this.#options.url}: ${ensureError(err).message}`,
        {
          cause: err,
        },
      );
    }
    if (!response.ok) {
      const result = rejection(response, text);
      throw new CuttleError(
        'UNAVAILABLE',
        `reading the offsets of writer ${this.writer} failed: ${result.httpStatus} ${result.code}: ${result.message}`,
        {
          retriable: true,
          details: { status: result.httpStatus, code: result.code },
        },
      );
    }
    const body = parseJson(text) as { offsets?: { stream: string; next: string }[] } | undefined;
    return new Map((body?.offsets ?? []).map((o) => [o.stream, o.next]));
  }

  #request(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {
      'x-cuttle-writer': this.#options.writer,
      'x-cuttle-secret': this.#options.secret,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return this.#fetch(new URL(path, this.#options.url), {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.#options.timeoutMs ?? 30_000),
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function rejection(response: Response, text: string): Extract<SendResult, { kind: 'rejected' }> {
  const error = (parseJson(text) as ErrorBody | undefined)?.error;
  const details =
    error?.details !== null && typeof error?.details === 'object'
      ? (error.details as Record<string, unknown>)
      : {};
  return {
    kind: 'rejected',
    httpStatus: response.status,
    code: typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`,
    message: typeof error?.message === 'string' ? error.message : text.slice(0, 200),
    details,
    retryAfterMs: retryAfterMs(response, details),
  };
}

/** The executive's exact wait (`details.retryAfterMs`), else the whole-second Retry-After header. */
function retryAfterMs(response: Response, details: Readonly<Record<string, unknown>>): number | null {
  if (typeof details.retryAfterMs === 'number' && details.retryAfterMs >= 0) return details.retryAfterMs;
  const header = response.headers.get('retry-after');
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}
