/**
 * Parsing and printing for `cuttle limits`: rates as `<amount>/<period>` (the executive stores
 * "rateAmount per ratePeriodMs": at most <amount> mutations at once, refilled evenly over
 * <period>), byte sizes with binary or decimal suffixes.
 */
import { CuttleError } from '../../lib/errors.ts';

const PERIODS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };
const SIZES: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  kib: 1024,
  mb: 1e6,
  mib: 1024 ** 2,
  gb: 1e9,
  gib: 1024 ** 3,
};

export interface StoredRate {
  readonly rateAmount: number;
  readonly ratePeriodMs: number;
}

/** `100/s`, `6000/min`, `10/100ms`, `5/2s`; a bare number is per second. */
export function parseRate(text: string): StoredRate {
  const match = /^(\d+)(?:\/(\d*)\s*(ms|s|sec|m|min|h))?$/i.exec(text.trim());
  const amount = Number(match?.[1]);
  const count = match?.[2] === undefined || match[2] === '' ? 1 : Number(match[2]);
  const unit = PERIODS[(match?.[3] ?? 's').toLowerCase()];
  if (match === null || unit === undefined || !Number.isSafeInteger(amount) || amount < 1 || count < 1) {
    throw new CuttleError(
      'BAD_REQUEST',
      `rate ${JSON.stringify(text)} must be <amount>/<period>, e.g. 100/s, 6000/min or 10/100ms`,
      { details: { rate: text } },
    );
  }
  return { rateAmount: amount, ratePeriodMs: count * unit };
}

/** `52428800`, `50MiB`, `1.5GB`. */
export function parseBytes(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const factor = SIZES[(match?.[2] ?? '').toLowerCase()];
  const bytes = match === null || factor === undefined ? NaN : Math.round(Number(match[1]) * factor);
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new CuttleError('BAD_REQUEST', `${option} ${JSON.stringify(text)} must be a size such as 50MiB`, {
      details: { [option]: text },
    });
  }
  return bytes;
}

export function splitTable(text: string): { family: string; table: string } {
  const [family, table, ...rest] = text.split('.');
  if (family === undefined || table === undefined || rest.length > 0 || family === '' || table === '') {
    throw new CuttleError('BAD_REQUEST', `table ${JSON.stringify(text)} must be written family.table`, {
      details: { table: text },
    });
  }
  return { family, table };
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)}${units[unit] ?? ''}`;
}

export function formatRate(rate: { perSecond: number; burst: number } | null): string {
  if (rate === null) return 'none';
  const perSecond = Number.isInteger(rate.perSecond) ? rate.perSecond : Number(rate.perSecond.toFixed(3));
  return `${perSecond}/s burst ${rate.burst}`;
}

export const formatPercent = (ratio: number): string => `${Math.round(ratio * 100)}%`;
