/**
 * The executive's API as source registration uses it: schema (admin), writers (admin), and the
 * `cuttle.sources` rows (written as the sources writer, read as admin or any writer). Failures
 * become CuttleErrors carrying the executive's own code.
 */
import { CuttleError, ensureError, type ErrorCode } from '../../../lib/errors.ts';
import type { FieldDef, TableSchema } from '../../../lib/schema/types.ts';

/** A writer's scope, as the executive takes it (POST /writers/:writer, PUT /writers/:writer/scope). */
export type WriterScope = { readonly global: true } | { readonly families: readonly string[] };

export interface Credentials {
  readonly adminToken?: string;
  readonly writer?: { readonly name: string; readonly secret: string };
}

export class ExecutiveAdmin {
  readonly #url: string;
  readonly #credentials: Credentials;

  constructor(url: string, credentials: Credentials) {
    this.#url = url;
    this.#credentials = credentials;
  }

  withWriter(name: string, secret: string): ExecutiveAdmin {
    return new ExecutiveAdmin(this.#url, { ...this.#credentials, writer: { name, secret } });
  }

  /** Creates the family unless it exists. */
  async ensureFamily(family: string): Promise<void> {
    await this.#call('POST', `/families/${family}`, undefined, ['FAMILY_EXISTS']);
  }

  /** The table's schema, or null when it does not exist. */
  async table(family: string, table: string): Promise<TableSchema | null> {
    return this.#call<TableSchema>('GET', `/families/${family}/tables/${table}`, undefined, [
      'TABLE_NOT_FOUND',
      'FAMILY_NOT_FOUND',
    ]);
  }

  async createTable(schema: TableSchema): Promise<void> {
    await this.#call('POST', `/families/${schema.family}/tables/${schema.table}`, {
      fields: schema.fields.map((f) => [f.name, f.type]),
      keyFields: schema.keyFields,
    });
  }

  /** Adds nullable fields; fields that already exist (an earlier attempt) are not an error. */
  async addFields(family: string, table: string, fields: readonly FieldDef[]): Promise<void> {
    for (const field of fields) {
      await this.#call(
        'POST',
        `/families/${family}/tables/${table}/fields`,
        { fields: [[field.name, field.type]] },
        ['FIELD_EXISTS'],
      );
    }
  }

  /**
   * Registers the writer with its scope (the families it may write, or `{ global: true }`);
   * false when it already existed (its secret and scope are left alone).
   */
  async registerWriter(writer: string, secret: string, scope: WriterScope): Promise<boolean> {
    const created = await this.#call<{ created: boolean }>(
      'POST',
      `/writers/${encodeURIComponent(writer)}`,
      { secret, ...scope },
      ['WRITER_EXISTS'],
    );
    return created?.created === true;
  }

  /** Replaces the writer's scope. */
  async setWriterScope(writer: string, scope: WriterScope): Promise<void> {
    await this.#call('PUT', `/writers/${encodeURIComponent(writer)}/scope`, scope);
  }

  /** Removes the writer; false when there was none. */
  async removeWriter(writer: string): Promise<boolean> {
    const removed = await this.#call<{ removed: boolean }>(
      'DELETE',
      `/writers/${encodeURIComponent(writer)}`,
      undefined,
      ['WRITER_NOT_FOUND'],
    );
    return removed?.removed === true;
  }

  async rotateWriter(writer: string, secret: string): Promise<void> {
    await this.#call('POST', `/writers/${encodeURIComponent(writer)}/rotate`, { secret });
  }

  async mutate(family: string, mutations: readonly unknown[]): Promise<void> {
    await this.#call('POST', `/families/${family}/mutations`, { mutations });
  }

  async scan(family: string, table: string): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    let cursor: string | null = null;
    do {
      const page: { rows: Record<string, unknown>[]; nextCursor: string | null } | null = await this.#call(
        'POST',
        `/families/${family}/tables/${table}/rows/scan`,
        { limit: 1000, cursor },
        ['TABLE_NOT_FOUND', 'FAMILY_NOT_FOUND'],
      );
      if (page === null) return [];
      rows.push(...page.rows);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return rows;
  }

  async #call<T>(
    method: string,
    path: string,
    body?: unknown,
    tolerated: readonly string[] = [],
  ): Promise<T | null> {
    const headers: Record<string, string> = {};
    const { adminToken, writer } = this.#credentials;
    if (adminToken !== undefined && !path.endsWith('/mutations'))
      headers.authorization = `Bearer ${adminToken}`;
    if (writer !== undefined) {
      headers['x-cuttle-writer'] = writer.name;
      headers['x-cuttle-secret'] = writer.secret;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(new URL(path, this.#url), {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new CuttleError(
        'UNAVAILABLE',
        `cannot reach the executive at ${this.#url}: ${ensureError(err).message}`,
        { cause: err },
      );
    }
    const text = await response.text();
    const parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
    if (response.ok) return (parsed ?? null) as T | null;
    const error = (
      parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined
    )?.error;
    const code = (error?.code ?? (response.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST')) as ErrorCode;
    if (tolerated.includes(code)) return null;
    throw new CuttleError(code, error?.message ?? `HTTP ${response.status}`, {
      details: error?.details ?? {},
    });
  }
}

/** Field lists in a comparable form, whether the executive answers [name, type] or {name, type}. */
export function fieldsText(fields: readonly (FieldDef | readonly [string, string])[]): string {
  return fields
    .map((f) =>
      Array.isArray(f)
        ? `${String(f[0])}:${String(f[1])}`
        : `${(f as FieldDef).name}:${(f as FieldDef).type}`,
    )
    .join(', ');
}
