/**
 * Writer secrets are stored as salted scrypt hashes (ctlstore stored unsalted SHA-256), in the
 * self-describing form `scrypt$N$r$p$<salt b64>$<hash b64>` so the cost can be raised later
 * without invalidating stored hashes.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { CuttleError } from '../../../lib/errors.ts';

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

export function validateSecret(secret: unknown): string {
  if (
    typeof secret !== 'string' ||
    secret.length < MIN_SECRET_CHARS ||
    secret.length > MAX_SECRET_CHARS ||
    !secret.isWellFormed()
  ) {
    throw new CuttleError(
      'BAD_REQUEST',
      `a writer secret must be a string of ${MIN_SECRET_CHARS} to ${MAX_SECRET_CHARS} characters`,
      {
        details: { field: 'secret' },
      },
    );
  }
  return secret;
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
