/**
 * Writers in ctldb: registration (secret and scope), secret rotation, scope changes, the list,
 * stored offsets, and the record authentication checks against (writer-auth.ts).
 *
 *   POST /writers/:writer         { "secret", "families": [...] } or { "secret", "global": true }
 *   POST /writers/:writer/rotate  { "secret" }
 *   PUT  /writers/:writer/scope   { "families": [...] } or { "global": true }
 *   DELETE /writers/:writer
 */
import type { Ctldb } from '../../../lib/ctldb/dialect.ts';
import { isCtldbFailure } from '../../../lib/ctldb/dialect.ts';
import { CuttleError, describeValue, detailValue, previewText } from '../../../lib/errors.ts';
import { validateWriterName } from '../../../lib/schema/names.ts';
import { hashSecret, validateSecret, verifySecret } from './secret-hash.ts';
import { requireScope, sameScope, scopeFromJson, scopeToJson, type WriterScope } from './writer-scope.ts';

export interface WriterOffsets {
  readonly writer: string;
  readonly offsets: readonly { readonly stream: string; readonly next: string }[];
  /** base64, or null when the writer never stored a cookie. */
  readonly cookie: string | null;
}

/** What authentication needs to know about a writer. */
export interface WriterRecord {
  readonly secretHash: string;
  readonly scope: WriterScope;
}

export interface WriterListing {
  readonly name: string;
  readonly createdAt: number;
  readonly scope: WriterScope;
}

const REGISTER_KEYS = ['secret', 'families', 'global'];
const ROTATE_KEYS = ['secret'];
const SCOPE_KEYS = ['families', 'global'];

/** A request body: a JSON object holding only the keys the route knows. */
function bodyOf(body: unknown, known: readonly string[], writer: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new CuttleError('BAD_REQUEST', `the body must be a JSON object, got ${describeValue(body)}`, {
      details: { writer },
    });
  }
  const unknown = Object.keys(body).find((k) => !known.includes(k));
  if (unknown !== undefined) {
    throw new CuttleError(
      'BAD_REQUEST',
      `unknown property ${previewText(unknown)}; known: ${known.join(', ')}`,
      {
        details: { writer, field: detailValue(unknown) },
      },
    );
  }
  return body as Record<string, unknown>;
}

const notFound = (writer: string): CuttleError =>
  new CuttleError('WRITER_NOT_FOUND', `writer ${writer} does not exist`, { details: { writer } });

export class WriterStore {
  readonly #ctldb: Ctldb;
  readonly #listeners: ((writer: string) => void)[] = [];

  constructor(ctldb: Ctldb) {
    this.#ctldb = ctldb;
  }

  /** Runs after this executive changes a writer's secret or scope (to forget cached checks). */
  onChange(listener: (writer: string) => void): void {
    this.#listeners.push(listener);
  }

  async record(writer: string): Promise<WriterRecord | undefined> {
    const rows = await this.#ctldb.all(
      'SELECT w.secret_hash, s.scope_json FROM cuttle_writers w LEFT JOIN cuttle_writer_scopes s ON s.writer = w.name WHERE w.name = ?',
      [writer],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    return { secretHash: String(row.secret_hash), scope: scopeFromJson(row.scope_json) };
  }

  /**
   * Registers a writer. The same name, secret and scope again is a no-op (so retries are safe);
   * another secret or scope is WRITER_EXISTS (rotate the secret, or set the scope, instead).
   */
  async register(name: unknown, body: unknown): Promise<{ created: boolean; scope: WriterScope }> {
    const writer = validateWriterName(name);
    const spec = bodyOf(body, REGISTER_KEYS, writer);
    const plain = validateSecret(spec.secret);
    const scope = requireScope(spec, writer);
    const existing = await this.record(writer);
    if (existing !== undefined) return this.#again(writer, plain, scope, existing);
    const now = Date.now();
    const hash = await hashSecret(plain);
    try {
      await this.#ctldb.transaction(async (tx) => {
        await tx.run(
          'INSERT INTO cuttle_writers (name, secret_hash, cookie, created_at, updated_at) VALUES (?, ?, NULL, ?, ?)',
          [writer, hash, now, now],
        );
        await tx.run('INSERT INTO cuttle_writer_scopes (writer, scope_json, updated_at) VALUES (?, ?, ?)', [
          writer,
          scopeToJson(scope),
          now,
        ]);
      });
    } catch (err) {
      // Registered concurrently by someone else: report it as the duplicate it is.
      if (isCtldbFailure(err, 'duplicate')) {
        throw new CuttleError('WRITER_EXISTS', `writer ${writer} already exists`, {
          details: { writer },
          cause: err,
        });
      }
      throw err;
    }
    return { created: true, scope };
  }

  async #again(
    writer: string,
    secret: string,
    scope: WriterScope,
    existing: WriterRecord,
  ): Promise<{ created: boolean; scope: WriterScope }> {
    if (!(await verifySecret(secret, existing.secretHash))) {
      throw new CuttleError(
        'WRITER_EXISTS',
        `writer ${writer} already exists with another secret; rotate it instead`,
        { details: { writer } },
      );
    }
    if (!sameScope(scope, existing.scope)) {
      throw new CuttleError(
        'WRITER_EXISTS',
        `writer ${writer} already exists with another scope; change it with PUT /writers/${writer}/scope`,
        { details: { writer, scope: existing.scope } },
      );
    }
    return { created: false, scope };
  }

  async rotate(name: unknown, body: unknown): Promise<void> {
    const writer = validateWriterName(name);
    const plain = validateSecret(bodyOf(body, ROTATE_KEYS, writer).secret);
    const changed = await this.#ctldb.run(
      'UPDATE cuttle_writers SET secret_hash = ?, updated_at = ? WHERE name = ?',
      [await hashSecret(plain), Date.now(), writer],
    );
    if (changed === 0) throw notFound(writer);
    this.#changed(writer);
  }

  /** Replaces a writer's scope. */
  async setScope(name: unknown, body: unknown): Promise<WriterScope> {
    const writer = validateWriterName(name);
    const scope = requireScope(bodyOf(body, SCOPE_KEYS, writer), writer);
    const now = Date.now();
    await this.#ctldb.transaction(async (tx) => {
      const exists = await tx.all('SELECT name FROM cuttle_writers WHERE name = ?', [writer]);
      if (exists.length === 0) throw notFound(writer);
      await tx.run('DELETE FROM cuttle_writer_scopes WHERE writer = ?', [writer]);
      await tx.run('INSERT INTO cuttle_writer_scopes (writer, scope_json, updated_at) VALUES (?, ?, ?)', [
        writer,
        scopeToJson(scope),
        now,
      ]);
    });
    this.#changed(writer);
    return scope;
  }

  /**
   * Removes a writer with its scope, limit override and stored offsets, in one transaction; what
   * it wrote stays in the ledger. Its offsets go with it: a writer registered again under the
   * name may read other topics (a source added again after its topics were recreated), and an
   * old offset would make it skip their changes, where starting over only applies some twice.
   */
  async remove(name: unknown): Promise<void> {
    const writer = validateWriterName(name);
    await this.#ctldb.transaction(async (tx) => {
      if ((await tx.run('DELETE FROM cuttle_writers WHERE name = ?', [writer])) === 0) throw notFound(writer);
      for (const table of ['cuttle_writer_scopes', 'cuttle_writer_offsets', 'cuttle_writer_limits'])
        await tx.run(`DELETE FROM ${table} WHERE writer = ?`, [writer]);
    });
    this.#changed(writer);
  }

  async list(): Promise<WriterListing[]> {
    const rows = await this.#ctldb.all(
      'SELECT w.name, w.created_at, s.scope_json FROM cuttle_writers w LEFT JOIN cuttle_writer_scopes s ON s.writer = w.name ORDER BY w.name',
    );
    return rows.map((r) => ({
      name: String(r.name),
      createdAt: Number(r.created_at),
      scope: scopeFromJson(r.scope_json),
    }));
  }

  async exists(name: string): Promise<boolean> {
    return (await this.#ctldb.all('SELECT name FROM cuttle_writers WHERE name = ?', [name])).length > 0;
  }

  async offsets(name: unknown): Promise<WriterOffsets> {
    const writer = validateWriterName(name);
    const rows = await this.#ctldb.all('SELECT cookie FROM cuttle_writers WHERE name = ?', [writer]);
    if (rows[0] === undefined) throw notFound(writer);
    const cookie = rows[0].cookie;
    const offsets = await this.#ctldb.all(
      'SELECT stream, next_offset FROM cuttle_writer_offsets WHERE writer = ? ORDER BY stream',
      [writer],
    );
    return {
      writer,
      offsets: offsets.map((r) => ({ stream: String(r.stream), next: String(r.next_offset) })),
      cookie: Buffer.isBuffer(cookie) ? cookie.toString('base64') : null,
    };
  }

  #changed(writer: string): void {
    for (const listener of this.#listeners) listener(writer);
  }
}
