/**
 * Writer secrets are stored as salted scrypt hashes (ctlstore stored unsalted SHA-256), in the
 * self-describing form `scrypt$N$r$p$<salt b64>$<hash b64>` so the cost can be raised later
 * without invalidating stored hashes.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { CuttleError, describeValue } from '../../../lib/errors.ts';

const DEFAULT_COST = { N: 16384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
export const MIN_SECRET_CHARS = 8;
export const MAX_SECRET_CHARS = 256;

function derive(secret: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_BYTES, { ...options, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err === null ? resolve(key) : reject(err),
    );
  });
}

/**
 * A secret travels in an HTTP header (x-cuttle-secret), so it must be one every client can send
 * and every server reads back unchanged: Latin-1 printable characters only (no NUL, no control
 * characters, nothing beyond U+00FF, which header values cannot carry), and no leading or trailing
 * space or tab, which HTTP parsers strip. A writer registered with anything else could never
 * authenticate.
 */
const SENDABLE = /^[\x21-\x7e\xa1-\xff](?:[\x20-\x7e\xa0-\xff]*[\x21-\x7e\xa1-\xff])?$/;

function secretProblem(secret: unknown): string | undefined {
  if (typeof secret !== 'string') return `must be a string, got ${describeValue(secret)}`;
  if (secret.length < MIN_SECRET_CHARS || secret.length > MAX_SECRET_CHARS)
    return `must be ${MIN_SECRET_CHARS} to ${MAX_SECRET_CHARS} characters long`;
  if (!SENDABLE.test(secret)) {
    return 'must be printable Latin-1 characters (no NUL or control characters, nothing beyond U+00FF) without leading or trailing spaces, as an HTTP header carries it';
  }
  return undefined;
}

export function validateSecret(secret: unknown): string {
  const problem = secretProblem(secret);
  if (problem !== undefined) {
    throw new CuttleError('BAD_REQUEST', `a writer secret ${problem}`, { details: { field: 'secret' } });
  }
  return secret as string;
}

export async function hashSecret(secret: string, cost: ScryptOptions = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(secret, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
