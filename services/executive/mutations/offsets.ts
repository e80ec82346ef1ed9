/**
 * The exactly-once decision, made inside the mutation transaction with the writer's offset rows
 * locked. Pure, so every case is unit-tested.
 *
 * - duplicate: the request moves at least one offset (or the checked cookie), and every stream
 *   (and the cookie) already stands at the request's `next`. This is the retry of a batch whose
 *   response was lost after commit: acknowledge it, apply nothing.
 * - conflict: some stored offset differs from the request's `expected`. The writer is out of step
 *   (another instance wrote, or it resumed from a stale position); it gets 409 with what is
 *   stored, so it can seek there.
 * - apply: everything stands where the request expects it.
 * A request that moves nothing (every expected equals next, no cookie check) can never be a
 * duplicate: it is applied when its expectations hold.
 */
import type { CookieUpdate, OffsetUpdate } from './request.ts';

export type OffsetDecision =
  | { readonly kind: 'apply' }
  | { readonly kind: 'duplicate' }
  | {
      readonly kind: 'conflict';
      readonly stored: Record<string, string | null>;
      readonly storedCookie: string | null | undefined;
    };

interface Check {
  readonly stored: string | null;
  readonly expected: string | null;
  readonly next: string;
}

const b64 = (b: Buffer | null): string | null => (b === null ? null : b.toString('base64'));

export function decideOffsets(
  offsets: readonly OffsetUpdate[],
  stored: ReadonlyMap<string, string>,
  cookie: CookieUpdate | undefined,
  storedCookie: Buffer | null,
): OffsetDecision {
  const checks: Check[] = offsets.map((o) => ({
    stored: stored.get(o.stream) ?? null,
    expected: o.expected,
    next: o.next,
  }));
  if (cookie !== undefined && cookie.expected !== undefined) {
    checks.push({ stored: b64(storedCookie), expected: b64(cookie.expected), next: b64(cookie.next) ?? '' });
  }
  const moves = checks.some((c) => c.expected !== c.next);
  if (moves && checks.every((c) => c.stored === c.next)) return { kind: 'duplicate' };
  if (checks.every((c) => c.stored === c.expected)) return { kind: 'apply' };
  return {
    kind: 'conflict',
    stored: Object.fromEntries(offsets.map((o) => [o.stream, stored.get(o.stream) ?? null])),
    storedCookie: cookie?.expected === undefined ? undefined : b64(storedCookie),
  };
}
