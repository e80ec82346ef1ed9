/**
 * An executive in this process on a random port over a throwaway ctldb (test/support/ctldb.ts),
 * plus a tiny HTTP client. Reuse it from any suite that needs a real executive:
 *
 *   const ex = await startTestExecutive('sqlite');
 *   try {
 *     await ex.setupTable('fam', 'things', [['id', 'integer'], ['name', 'string']], ['id']);
 *     const writer = await ex.registerWriter('loader-1');
 *     await ex.mutate(writer, 'fam', { mutations: [{ table: 'things', values: { id: 1, name: 'a' } }] });
 *   } finally { await ex.close(); }
 */
import { randomBytes } from 'node:crypto';
import { createExecutive, type Executive, type ExecutiveDeps } from '../../services/executive/app.ts';
import { loadExecutiveConfig, type ExecutiveConfig } from '../../services/executive/config.ts';
import { createTestCtldb, type TestCtldb, type TestDialect } from './ctldb.ts';

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface WriterCredentials {
  readonly writer: string;
  readonly secret: string;
}

export type TestWriterScope = { readonly global: true } | { readonly families: readonly string[] };

export interface StartOptions {
  readonly area?: string;
  readonly config?: Partial<ExecutiveConfig>;
  readonly deps?: ExecutiveDeps;
}

export class TestExecutive {
  readonly db: TestCtldb;
  readonly executive: Executive;

  constructor(db: TestCtldb, executive: Executive) {
    this.db = db;
    this.executive = executive;
  }

  get url(): string {
    return this.executive.url;
  }

  get adminToken(): string {
    return this.executive.adminToken;
  }

  /** Any request; `body` is sent as JSON unless it is a Buffer (sent raw as application/json). */
  async request<T = unknown>(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Buffer | undefined;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = Buffer.isBuffer(options.body) ? options.body : JSON.stringify(options.body);
    }
    const response = await fetch(new URL(path, this.url), {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    const parsed: unknown =
      text === ''
        ? undefined
        : response.headers.get('content-type')?.includes('json')
          ? JSON.parse(text)
          : text;
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.request<T>(method, path, { body, headers: { authorization: `Bearer ${this.adminToken}` } });
  }

  /** Creates the family (if missing) and the table; throws on any other failure. */
  async setupTable(
    family: string,
    table: string,
    fields: readonly (readonly [string, string])[],
    keyFields: readonly string[],
  ): Promise<void> {
    const f = await this.admin('POST', `/families/${family}`);
    if (f.status !== 201 && f.status !== 409)
      throw new Error(`create family ${family}: ${f.status} ${JSON.stringify(f.body)}`);
    const t = await this.admin('POST', `/families/${family}/tables/${table}`, { fields, keyFields });
    if (t.status !== 201)
      throw new Error(`create table ${family}.${table}: ${t.status} ${JSON.stringify(t.body)}`);
  }

  /**
   * Registers a writer with a scope: the families it may write and read, or `{ global: true }`
   * (the default here, for suites that are not about scopes; production callers always choose).
   */
  async registerWriter(
    writer: string,
    secret = `secret-${randomBytes(8).toString('hex')}`,
    scope: TestWriterScope = { global: true },
  ): Promise<WriterCredentials> {
    const r = await this.admin('POST', `/writers/${writer}`, { secret, ...scope });
    if (r.status !== 201 && r.status !== 200)
      throw new Error(`register writer ${writer}: ${r.status} ${JSON.stringify(r.body)}`);
    return { writer, secret };
  }

  mutate<T = unknown>(
    credentials: WriterCredentials,
    family: string,
    body: unknown,
  ): Promise<ApiResponse<T>> {
    return this.request<T>('POST', `/families/${family}/mutations`, {
      body,
      headers: { 'x-cuttle-writer': credentials.writer, 'x-cuttle-secret': credentials.secret },
    });
  }

  async close(): Promise<void> {
    await this.executive.close();
    await this.db.close();
  }
}

export function testExecutiveConfig(overrides: Partial<ExecutiveConfig> = {}): ExecutiveConfig {
  const base = loadExecutiveConfig({});
  return {
    ...base,
    port: 0,
    heartbeatIntervalMs: 0,
    adminToken: `admin-${randomBytes(12).toString('hex')}`,
    // Failed-authentication counters are per writer name: suites sharing Redis must not share them.
    authKeyPrefix: `cuttle-test:auth:${randomBytes(4).toString('hex')}`,
    ...overrides,
  };
}

/** Starts an executive over a fresh ctldb of `dialect`; close() stops it and deletes the ctldb. */
export async function startTestExecutive(
  dialect: TestDialect,
  options: StartOptions = {},
): Promise<TestExecutive> {
  const db = await createTestCtldb(dialect, options.area ?? 'executive');
  try {
    const executive = await createExecutive(testExecutiveConfig(options.config), {
      ...options.deps,
      ctldb: options.deps?.ctldb ?? db.ctldb,
    });
    return new TestExecutive(db, executive);
  } catch (err) {
    await db.close();
    throw err;
  }
}
