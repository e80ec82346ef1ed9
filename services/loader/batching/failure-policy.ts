/**
 * What to do after sending a batch, and after an event fails to decode or map. Pure decisions;
 * the partition worker carries them out. The rules, in the words of the design:
 * - committed (200 applied/duplicate), or a 409 whose stored offset is this batch's `next` (an
 *   earlier attempt committed and its response was lost): acknowledge.
 * - 409 OFFSET_CONFLICT otherwise: ctldb is the source of truth; seek to the stored offset.
 * - 429 RATE_LIMITED, 507 TABLE_FULL: pause the partition and resend the same batch after the
 *   given delay. Nothing is dropped or reordered.
 * - 5xx, unreachable, 401/403/404 (credentials or a table being created): retry with backoff.
 * - any other 4xx names a bad mutation: that event is poison. With several events in the batch
 *   and no row index, split the batch to find it; with `halt`, the events before it are split
 *   off and committed first, so that everything before a poison event is applied.
 * - poison: `skip` sends it to the dead-letter queue and moves on; `halt` stops the partition.
 */
import { isCuttleError } from '../../../lib/errors.ts';
import { backoffMs } from '../../../lib/lifecycle.ts';
import { eventOfMutation, type Batch } from './batch.ts';

export type DeadLetterPolicy = 'halt' | 'skip';

export type SendResult =
  | { readonly kind: 'committed'; readonly status: 'applied' | 'duplicate' }
  | {
      readonly kind: 'rejected';
      readonly httpStatus: number;
      readonly code: string;
      readonly message: string;
      readonly details: Readonly<Record<string, unknown>>;
      readonly retryAfterMs: number | null;
    }
  | { readonly kind: 'unreachable'; readonly error: Error };

export type Decision =
  | { readonly action: 'ack' }
  | { readonly action: 'seek'; readonly offset: string | null; readonly reason: string }
  | { readonly action: 'pause'; readonly delayMs: number; readonly reason: string }
  | { readonly action: 'retry'; readonly delayMs: number; readonly reason: string }
  /**
   * Send the batch's events again in smaller batches to leave a poison event alone: one batch
   * per event, or (`at`) the events before that offset, it, and the events after it.
   */
  | { readonly action: 'isolate'; readonly reason: string; readonly at?: string }
  | {
      readonly action: 'dead-letter';
      readonly offsets: readonly string[];
      readonly code: string;
      readonly reason: string;
    }
  | {
      readonly action: 'halt';
      readonly offsets: readonly string[];
      readonly code: string;
      readonly reason: string;
    };

export interface DecisionOptions {
  readonly policy: DeadLetterPolicy;
  /** Failed attempts of this batch so far, for backoff. */
  readonly attempt: number;
  /** @defaultValue 1000 */
  readonly defaultRetryAfterMs?: number;
  readonly backoff?: (attempt: number) => number;
}

const TRANSIENT_CLIENT_STATUSES = new Set([401, 403, 404, 408]);
const TOO_BIG = new Set(['BATCH_TOO_LARGE', 'BODY_TOO_LARGE']);

export function decideAfterSend(result: SendResult, batch: Batch, options: DecisionOptions): Decision {
  const backoff = options.backoff ?? ((attempt: number) => backoffMs(attempt, 200, 30_000));
  if (result.kind === 'committed') return { action: 'ack' };
  if (result.kind === 'unreachable') {
    return {
      action: 'retry',
      delayMs: backoff(options.attempt),
      reason: `executive unreachable: ${result.error.message}`,
    };
  }
  const { httpStatus, code, message } = result;
  const reason = `${httpStatus} ${code}: ${message}`;
  if (code === 'OFFSET_CONFLICT') return offsetConflict(result.details, batch, reason);
  if (httpStatus === 429 || httpStatus === 507) {
    return { action: 'pause', delayMs: result.retryAfterMs ?? options.defaultRetryAfterMs ?? 1000, reason };
  }
  if (httpStatus >= 500 || TRANSIENT_CLIENT_STATUSES.has(httpStatus)) {
    return { action: 'retry', delayMs: backoff(options.attempt), reason };
  }
  const row = typeof result.details.row === 'number' ? result.details.row : undefined;
  const culprit = row === undefined || TOO_BIG.has(code) ? undefined : eventOfMutation(batch, row);
  if (culprit === undefined && batch.events.length > 1) return { action: 'isolate', reason };
  // Halting at an event after others of the batch: commit those first, so the poison event
  // alone is left (it is sent again alone and refused again).
  if (options.policy === 'halt' && culprit !== undefined && batch.events[0]?.offset !== culprit.offset) {
    return { action: 'isolate', at: culprit.offset, reason };
  }
  const offsets = culprit !== undefined ? [culprit.offset] : batch.events.map((e) => e.offset);
  return poison(options.policy, offsets, code, reason);
}

/** The executive answers 409 with `details.stored`: stream → stored next offset (or null). */
function offsetConflict(details: Readonly<Record<string, unknown>>, batch: Batch, reason: string): Decision {
  const stored = details.stored;
  const mine =
    stored !== null && typeof stored === 'object' && Object.hasOwn(stored, batch.offsets.stream)
      ? (stored as Record<string, unknown>)[batch.offsets.stream]
      : undefined;
  if (mine !== null && typeof mine !== 'string') {
    return {
      action: 'halt',
      offsets: [],
      code: 'OFFSET_CONFLICT',
      reason: `${reason} (the reply holds no stored offset for ${batch.offsets.stream})`,
    };
  }
  if (mine === batch.offsets.next) return { action: 'ack' };
  return { action: 'seek', offset: mine, reason };
}

function poison(
  policy: DeadLetterPolicy,
  offsets: readonly string[],
  code: string,
  reason: string,
): Decision {
  return policy === 'skip'
    ? { action: 'dead-letter', offsets, code, reason }
    : { action: 'halt', offsets, code, reason };
}

/** After an event failed to decode or map (before any batch). */
export function decideOnEventError(error: unknown, offset: string, options: DecisionOptions): Decision {
  const backoff = options.backoff ?? ((attempt: number) => backoffMs(attempt, 200, 30_000));
  if (isCuttleError(error)) {
    if (error.retriable) return { action: 'retry', delayMs: backoff(options.attempt), reason: error.message };
    return poison(options.policy, [offset], error.code, error.message);
  }
  // Not one of our errors: a bug, not bad data. Never dead-letter a whole stream because of it.
  const message = error instanceof Error ? error.message : String(error);
  return { action: 'halt', offsets: [offset], code: 'INTERNAL', reason: message };
}
