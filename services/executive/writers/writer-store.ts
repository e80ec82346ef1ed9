/**
 * Writers: registration, secret rotation, authentication, stored offsets.
 *
 * scrypt is deliberately slow (tens of ms), far too slow for every mutation request. So a
 * successful verification is remembered as (stored hash, SHA-256 of the secret): a request with
 * the same secret skips scrypt. For AUTH_RECHECK_MS after a check even the stored hash is not
 * re-read (one round trip less per mutation); after that it is read again, so a rotation made by
 * another executive takes effect within AUTH_RECHECK_MS, and one made by this executive at once.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isCtldbFailure, type Ctldb } from '../../../lib/ctldb/dialect.ts';
import { CuttleError, detailValue, previewText } from '../../../lib/errors.ts';
import { validateWriterName } from '../../../lib/schema/names.ts';
import { hashSecret, validateSecret, verifySecret } from './secret-hash.ts';

export interface WriterOffsets {
  readonly writer: string;
  readonly offsets: readonly { readonly stream: string; readonly next: string }[];
  /** base64, or null when the writer never stored a cookie. */
  readonly cookie: string | null;
}

interface VerifiedSecret {
  readonly storedHash: string;
  readonly digest: Buffer;
  readonly checkedAt: number;
}

export const AUTH_RECHECK_MS = 5_000;

const digestOf = (secret: string): Buffer => createHash('sha256').update(secret).digest();

export class WriterStore {
  readonly #ctldb: Ctldb;
  readonly #verified = new Map<string, VerifiedSecret>();

  constructor(ctldb: Ctldb) {
    this.#ctldb = ctldb;
  }

  async #storedHash(writer: string): Promise<string | undefined> {
    const rows = await this.#ctldb.all('SELECT secret_hash FROM cuttle_writers WHERE name = ?', [writer]);
    return rows[0] === undefined ? undefined : String(rows[0].secret_hash);
  }

  /** Registers a writer. The same name with the same secret again is a no-op (so retries are safe). */
  async register(name: unknown, secret: unknown): Promise<{ created: boolean }> {
    const writer = validateWriterName(name);
    const plain = validateSecret(secret);
    const existing = await this.#storedHash(writer);
    if (existing !== undefined) {
      if (await verifySecret(plain, existing)) return { created: false };
      throw new CuttleError(
        'WRITER_EXISTS',
        `writer ${writer} already exists with another secret; rotate it instead`,
        {
          details: { writer },
        },
      );
    }
    const now = Date.now();
    try {
      await this.#ctldb.run(
        'INSERT INTO cuttle_writers (name, secret_hash, cookie, created_at, updated_at) VALUES (?, ?, NULL, ?, ?)',
        [writer, await hashSecret(plain), now, now],
      );
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
    return { created: true };
  }

  async rotate(name: unknown, secret: unknown): Promise<void> {
    const writer = validateWriterName(name);
    const plain = validateSecret(secret);
    const changed = await this.#ctldb.run(
      'UPDATE cuttle_writers SET secret_hash = ?, updated_at = ? WHERE name = ?',
      [await hashSecret(plain), Date.now(), writer],
    );
    if (changed === 0)
      throw new CuttleError('WRITER_NOT_FOUND', `writer ${writer} does not exist`, { details: { writer } });
    this.#verified.delete(writer);
  }

  async list(): Promise<{ name: string; createdAt: number }[]> {
    const rows = await this.#ctldb.all('SELECT name, created_at FROM cuttle_writers ORDER BY name');
    return rows.map((r) => ({ name: String(r.name), createdAt: Number(r.created_at) }));
  }

  /** Returns the writer's name when the credentials are right; UNAUTHENTICATED otherwise. */
  async authenticate(name: string | undefined, secret: string | undefined): Promise<string> {
    if (name === undefined || secret === undefined || name === '' || secret === '') {
      throw new CuttleError(
        'UNAUTHENTICATED',
        'send the writer name and secret in the x-cuttle-writer and x-cuttle-secret headers',
      );
    }
    const refused = new CuttleError(
      'UNAUTHENTICATED',
      `unknown writer ${previewText(name)} or wrong secret`,
      { details: { writer: detailValue(name) } },
    );
    if (name.length > 50) throw refused;
    const digest = digestOf(secret);
    const known = this.#verified.get(name);
    if (
      known !== undefined &&
      Date.now() - known.checkedAt < AUTH_RECHECK_MS &&
      timingSafeEqual(known.digest, digest)
    )
      return name;
    const stored = await this.#storedHash(name);
    if (stored === undefined) throw refused;
    if (known === undefined || known.storedHash !== stored || !timingSafeEqual(known.digest, digest)) {
      if (!(await verifySecret(secret, stored))) throw refused;
    }
    this.#verified.set(name, { storedHash: stored, digest, checkedAt: Date.now() });
    return name;
  }

  async offsets(name: unknown): Promise<WriterOffsets> {
    const writer = validateWriterName(name);
    const rows = await this.#ctldb.all('SELECT cookie FROM cuttle_writers WHERE name = ?', [writer]);
    if (rows[0] === undefined)
      throw new CuttleError('WRITER_NOT_FOUND', `writer ${writer} does not exist`, { details: { writer } });
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
}
