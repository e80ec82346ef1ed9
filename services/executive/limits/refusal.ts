/**
 * The errors a refused request gets. `details.limit` names the limit that refused it
 * (`writer_rate`, `table_rate`, `table_size`) next to the writer/family/table it applies to.
 *
 * `retryAfterSeconds` is exact to the millisecond (a loader should wait that long, not a rounded
 * second); an HTTP Retry-After header needs whole seconds, so the HTTP layer rounds it up.
 * `details.retryAfterMs` carries the same wait in milliseconds.
 */
import { CuttleError } from '../../../lib/errors.ts';
import type { PlannedRate, PlannedSize } from './plan.ts';

export type LimitName = 'writer_rate' | 'table_rate' | 'table_size';

export function limitNameOf(rate: PlannedRate): LimitName {
  return rate.kind === 'writer' ? 'writer_rate' : 'table_rate';
}

export function rateLimitedError(rate: PlannedRate, retryAfterUs: number): CuttleError {
  const retryAfterMs = Math.max(1, Math.ceil(retryAfterUs / 1000));
  const subject =
    rate.kind === 'writer'
      ? `writer ${rate.writer}`
      : `table ${rate.family}.${rate.table ?? ''} (written by ${rate.writer})`;
  return new CuttleError(
    'RATE_LIMITED',
    `${subject} is over its rate limit of ${rate.rate.perSecond} mutations/s (burst ${rate.rate.burst}); ` +
      `this request of ${rate.cost} mutations may be retried in ${retryAfterMs} ms`,
    {
      details: {
        limit: limitNameOf(rate),
        writer: rate.writer,
        family: rate.family,
        ...(rate.table === undefined ? {} : { table: rate.table }),
        perSecond: rate.rate.perSecond,
        burst: rate.rate.burst,
        mutations: rate.cost,
        retryAfterMs,
      },
      retryAfterSeconds: retryAfterMs / 1000,
    },
  );
}

/**
 * A full table: retrying helps only once rows were deleted and the table measured again, so the
 * suggested wait is the measurement interval.
 */
export function tableFullError(size: PlannedSize, bytes: number, measureIntervalMs: number): CuttleError {
  return new CuttleError(
    'TABLE_FULL',
    `table ${size.family}.${size.table} is at its hard quota (about ${bytes} of ${size.maxBytes ?? 0} bytes); ` +
      'upserts that add data are refused, deletes are accepted',
    {
      details: {
        limit: 'table_size' satisfies LimitName,
        family: size.family,
        table: size.table,
        quotaBytes: bytes,
        maxBytes: size.maxBytes,
        retryAfterMs: measureIntervalMs,
      },
      retryAfterSeconds: measureIntervalMs / 1000,
    },
  );
}
