/**
 * The shape of a mutation request, checked before anything else happens:
 *
 *   POST /families/:family/mutations
 *   { "mutations": [ { "table": "t", "op": "upsert", "values": { … } },
 *                    { "table": "t", "op": "delete", "key": { … } } ],
 *     "offsets": [ { "stream": "topic/0", "expected": "41", "next": "42" } ],
 *     "cookie": { "expected": "<base64>|null", "next": "<base64>" } }
 *
 * `op` may be omitted (upsert), or given ctlstore-style as `"delete": true`. Offsets are strings
 * compared exactly; `expected: null` means "nothing stored yet". The cookie is ctlstore's opaque
 * per-writer value; without `expected` it is set unconditionally.
 */
import { CuttleError, describeValue } from '../../../lib/errors.ts';

export interface RawMutation {
  /** Position in the request, for error messages. */
  readonly index: number;
  readonly table: unknown;
  readonly op: 'upsert' | 'delete';
  readonly values: unknown;
  readonly key: unknown;
}

export interface OffsetUpdate {
  readonly stream: string;
  readonly expected: string | null;
  readonly next: string;
}

export interface CookieUpdate {
  /** undefined: no check; null: expects no cookie stored. */
  readonly expected: Buffer | null | undefined;
  readonly next: Buffer;
}

export interface MutationRequest {
  readonly mutations: readonly RawMutation[];
  readonly offsets: readonly OffsetUpdate[];
  readonly cookie: CookieUpdate | undefined;
}

export interface RequestLimits {
  readonly maxBatchMutations: number;
}

export const MAX_OFFSETS = 4096;
export const MAX_COOKIE_BYTES = 1024;
const OFFSET_TEXT = /^[\x20-\x7e]{1,255}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function bad(
  code: 'BAD_REQUEST' | 'INVALID_OFFSETS' | 'EMPTY_BATCH' | 'BATCH_TOO_LARGE',
  message: string,
  details: Record<string, unknown> = {},
): never {
  throw new CuttleError(code, message, { details });
}

export function parseMutationRequest(body: unknown, family: string, limits: RequestLimits): MutationRequest {
  if (!isObject(body))
    bad('BAD_REQUEST', 'the body must be a JSON object with a "mutations" array', { family });
  const mutations = body.mutations ?? [];
  if (!Array.isArray(mutations)) bad('BAD_REQUEST', '"mutations" must be an array', { family });
  if (mutations.length > limits.maxBatchMutations) {
    bad(
      'BATCH_TOO_LARGE',
      `${mutations.length} mutations in one request; the limit is ${limits.maxBatchMutations}`,
      {
        family,
        mutations: mutations.length,
        limit: limits.maxBatchMutations,
      },
    );
  }
  const offsets = parseOffsets(body.offsets);
  const cookie = parseCookie(body.cookie);
  if (mutations.length === 0 && offsets.length === 0 && cookie === undefined) {
    bad('EMPTY_BATCH', 'the request holds no mutations and no offsets to store', { family });
  }
  return {
    mutations: mutations.map((m: unknown, index) => parseMutation(m, index, family)),
    offsets,
    cookie,
  };
}

function parseMutation(raw: unknown, index: number, family: string): RawMutation {
  if (!isObject(raw)) bad('BAD_REQUEST', `mutation ${index} must be an object`, { family, row: index });
  const { op, delete: deleteFlag } = raw;
  if (op !== undefined && op !== 'upsert' && op !== 'delete') {
    bad('BAD_REQUEST', `mutation ${index}: op must be "upsert" or "delete", got ${describeValue(op)}`, {
      family,
      row: index,
    });
  }
  if (deleteFlag !== undefined && typeof deleteFlag !== 'boolean') {
    bad('BAD_REQUEST', `mutation ${index}: "delete" must be true or false`, { family, row: index });
  }
  if (op !== undefined && deleteFlag !== undefined && (op === 'delete') !== deleteFlag) {
    bad('BAD_REQUEST', `mutation ${index}: "op" and "delete" disagree`, { family, row: index });
  }
  const resolved = op === 'delete' || deleteFlag === true ? 'delete' : 'upsert';
  return { index, table: raw.table, op: resolved, values: raw.values, key: raw.key };
}

function offsetText(value: unknown, what: string): string {
  if (typeof value !== 'string' || !OFFSET_TEXT.test(value)) {
    bad(
      'INVALID_OFFSETS',
      `${what} must be 1 to 255 printable ASCII characters, got ${describeValue(value)}`,
    );
  }
  return value;
}

function parseOffsets(raw: unknown): OffsetUpdate[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) bad('INVALID_OFFSETS', '"offsets" must be an array of { stream, expected, next }');
  if (raw.length > MAX_OFFSETS) bad('INVALID_OFFSETS', `at most ${MAX_OFFSETS} offsets per request`);
  const seen = new Set<string>();
  return raw.map((entry: unknown, i) => {
    if (!isObject(entry))
      bad('INVALID_OFFSETS', `offsets[${i}] must be an object { stream, expected, next }`);
    const stream = offsetText(entry.stream, `offsets[${i}].stream`);
    if (seen.has(stream)) bad('INVALID_OFFSETS', `stream ${stream} appears twice in offsets`, { stream });
    seen.add(stream);
    if (!Object.hasOwn(entry, 'expected')) {
      bad('INVALID_OFFSETS', `offsets[${i}].expected is required (null when nothing is stored yet)`, {
        stream,
      });
    }
    const expected = entry.expected === null ? null : offsetText(entry.expected, `offsets[${i}].expected`);
    return { stream, expected, next: offsetText(entry.next, `offsets[${i}].next`) };
  });
}

function cookieBytes(value: unknown, what: string): Buffer {
  if (typeof value !== 'string' || !BASE64.test(value))
    bad('INVALID_OFFSETS', `${what} must be standard padded base64`);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length > MAX_COOKIE_BYTES)
    bad('INVALID_OFFSETS', `${what} is ${bytes.length} bytes; the limit is ${MAX_COOKIE_BYTES}`);
  return bytes;
}

function parseCookie(raw: unknown): CookieUpdate | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) bad('INVALID_OFFSETS', '"cookie" must be an object { expected?, next }');
  const expected =
    raw.expected === undefined
      ? undefined
      : raw.expected === null
        ? null
        : cookieBytes(raw.expected, 'cookie.expected');
  return { expected, next: cookieBytes(raw.next, 'cookie.next') };
}
