/**
 * Encodes a check for the admit script (redis-scripts.ts documents the layout) and decodes its
 * reply. Pure, so the layout is unit-tested without Redis.
 */
import type { LimitsKeys } from './keys.ts';
import type { CheckDecision, CheckRequest } from './limits-store.ts';

export function encodeAdmitArgs(
  request: CheckRequest,
  keys: LimitsKeys,
): { numKeys: number; args: (string | number)[] } {
  const keyArgs = [keys.quotaBytes, keys.growth, keys.growthPrev, ...request.rates.map((r) => r.key)];
  const argv: (string | number)[] = [
    request.nowUs === undefined ? '' : request.nowUs,
    request.rates.length,
    request.sizes.length,
  ];
  for (const rate of request.rates) argv.push(rate.intervalUs, rate.burst, rate.cost);
  for (const size of request.sizes) {
    argv.push(
      size.field,
      size.maxBytes ?? -1,
      size.grows ? 1 : 0,
      Math.max(0, Math.ceil(size.addBytes)),
      Math.max(0, Math.ceil(size.knownBytes)),
    );
  }
  return { numKeys: keyArgs.length, args: [...keyArgs, ...argv] };
}

export function decodeAdmitReply(reply: unknown): CheckDecision {
  if (!Array.isArray(reply) || reply.length < 3) {
    throw new Error(`unexpected reply from the admit script: ${JSON.stringify(reply)}`);
  }
  const numbers = reply.map(Number);
  const [kind = -1, index = 0, value = 0] = numbers;
  const fill = numbers.slice(3);
  switch (kind) {
    case 0:
      return { kind: 'admitted', fill };
    case 1:
      return { kind: 'rate-limited', index, retryAfterUs: value, fill };
    case 2:
      return { kind: 'table-full', index, bytes: value };
    default:
      throw new Error(`unexpected reply from the admit script: ${JSON.stringify(reply)}`);
  }
}
