/**
 * The executive's JSON API as the admin page calls it: the admin token is kept in
 * sessionStorage (gone when the tab closes) and sent as `authorization: Bearer`, exactly as the
 * CLI sends it; the page itself carries no data and needs no cookie.
 */
const TOKEN_KEY = 'cuttle-admin-token';

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string): void => sessionStorage.setItem(TOKEN_KEY, value),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Path segments are encoded here, so a name can never change the path it is put in. */
export const path = (...segments: readonly string[]): string =>
  segments.map((s) => (s.startsWith('/') ? s : `/${encodeURIComponent(s)}`)).join('');

export async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${token.get() ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed = text === '' ? null : (JSON.parse(text) as unknown);
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(response.status, error?.code ?? 'HTTP', error?.message ?? `HTTP ${response.status}`);
  }
  return parsed as T;
}
