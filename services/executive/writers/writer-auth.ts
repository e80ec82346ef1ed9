/**
 * Writer authentication: the name and secret of a request against the stored salted hash.
 *
 * scrypt is deliberately slow (tens of ms), far too slow for every mutation request. So a
 * successful verification is remembered as (stored hash, SHA-256 of the secret): a request with
 * the same secret skips scrypt. For AUTH_RECHECK_MS after a check even the stored record is not
 * re-read (one round trip less per mutation); after that it is read again, so a rotation or a
 * scope change made by another executive takes effect within AUTH_RECHECK_MS, and one made by
 * this executive at once.
 *
 * Against guessing: an unknown writer costs what a known one does (its secret is checked against
 * a dummy hash, so timing does not tell which names exist), and failures are throttled per name
 * (auth-throttle.ts).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CuttleError, detailValue, previewText } from '../../../lib/errors.ts';
import type { AuthThrottle } from './auth-throttle.ts';
import { hashSecret, verifySecret } from './secret-hash.ts';
import type { WriterScope } from './writer-scope.ts';
import type { WriterRecord, WriterStore } from './writer-store.ts';

export interface AuthenticatedWriter {
  readonly name: string;
  readonly scope: WriterScope;
}

interface Verified {
  readonly record: WriterRecord;
  readonly digest: Buffer;
  readonly checkedAt: number;
}

export const AUTH_RECHECK_MS = 5_000;
/** Longer than any valid writer name (lib/schema/names.ts): such a name cannot exist. */
const MAX_NAME_CHARS = 50;

const digestOf = (secret: string): Buffer => createHash('sha256').update(secret).digest();

/** The part of WriterStore authentication reads. */
export type WriterRecords = Pick<WriterStore, 'record' | 'onChange'>;

/** Checks a secret against a stored hash; injectable so a test can see which hash was checked. */
export type VerifySecret = (secret: string, storedHash: string) => Promise<boolean>;

export class WriterAuthenticator {
  readonly #store: WriterRecords;
  readonly #throttle: AuthThrottle;
  readonly #verify: VerifySecret;
  readonly #verified = new Map<string, Verified>();
  /** Checked for unknown writers, so that refusing them costs one scrypt too. */
  readonly #dummyHash: Promise<string>;

  constructor(store: WriterRecords, throttle: AuthThrottle, verify: VerifySecret = verifySecret) {
    this.#store = store;
    this.#throttle = throttle;
    this.#verify = verify;
    this.#dummyHash = hashSecret(randomBytes(18).toString('base64url'));
    store.onChange((writer) => this.#verified.delete(writer));
  }

  /** The writer, when the credentials are right; UNAUTHENTICATED or AUTH_THROTTLED otherwise. */
  async authenticate(name: string | undefined, secret: string | undefined): Promise<AuthenticatedWriter> {
    if (name === undefined || secret === undefined || name === '' || secret === '') {
      throw new CuttleError(
        'UNAUTHENTICATED',
        'send the writer name and secret in the x-cuttle-writer and x-cuttle-secret headers',
      );
    }
    const refused = new CuttleError(
      'UNAUTHENTICATED',
      `unknown writer ${previewText(name)} or wrong secret`,
      {
        details: { writer: detailValue(name) },
      },
    );
    if (name.length > MAX_NAME_CHARS) throw refused;
    const digest = digestOf(secret);
    const known = this.#verified.get(name);
    if (
      known !== undefined &&
      Date.now() - known.checkedAt < AUTH_RECHECK_MS &&
      timingSafeEqual(known.digest, digest)
    )
      return { name, scope: known.record.scope };
    await this.#refuseIfThrottled(name);
    const record = await this.#store.record(name);
    const cached =
      record !== undefined &&
      known !== undefined &&
      known.record.secretHash === record.secretHash &&
      timingSafeEqual(known.digest, digest);
    if (!cached && !(await this.#verify(secret, record?.secretHash ?? (await this.#dummyHash)))) {
      await this.#throttle.recordFailure(name);
      throw refused;
    }
    if (record === undefined) {
      // Only reachable if the random dummy secret was guessed; still no such writer.
      await this.#throttle.recordFailure(name);
      throw refused;
    }
    this.#verified.set(name, { record, digest, checkedAt: Date.now() });
    return { name, scope: record.scope };
  }

  close(): Promise<void> {
    return this.#throttle.close();
  }

  async #refuseIfThrottled(name: string): Promise<void> {
    const waitMs = await this.#throttle.blockedForMs(name);
    if (waitMs <= 0) return;
    throw new CuttleError(
      'AUTH_THROTTLED',
      `too many failed authentications for writer ${previewText(name)}; retry in ${Math.ceil(waitMs / 1000)} s`,
      { details: { writer: detailValue(name), retryAfterMs: waitMs }, retryAfterSeconds: waitMs / 1000 },
    );
  }
}
