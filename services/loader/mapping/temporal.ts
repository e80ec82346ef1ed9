/**
 * Debezium's temporal encodings back into the text MariaDB shows for the column, so that a value
 * in ctldb reads exactly like the origin's:
 * - DATE       `io.debezium.time.Date`: days since the epoch → `YYYY-MM-DD`
 * - TIME(fsp)  `MicroTime` µs (or `Time` ms) since midnight, may be negative or past 24 h
 *              → `[-]HH:MM:SS[.f…]` with fsp fractional digits
 * - DATETIME   `Timestamp` ms / `MicroTimestamp` µs since the epoch, no zone → `YYYY-MM-DD HH:MM:SS[.f…]`
 * - TIMESTAMP  `ZonedTimestamp` ISO-8601 string → normalised to UTC `YYYY-MM-DDTHH:MM:SS[.f…]Z`
 *              with exactly fsp fractional digits (Debezium versions differ on padding)
 */
const MICROS_PER_SECOND = 1_000_000n;
const MICROS_PER_DAY = 86_400n * MICROS_PER_SECOND;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function pad(n: number | bigint, width: number): string {
  return n.toString().padStart(width, '0');
}

/** Fractional digits: at least fsp, more only if the value really has them (nothing is lost). */
function fraction(micros: bigint, fsp: number): string {
  const six = pad(micros, 6);
  const significant = six.replace(/0+$/, '').length;
  const width = Math.max(fsp, significant);
  return width === 0 ? '' : `.${six.slice(0, width)}`;
}

export function formatDate(epochDays: bigint): string {
  const date = new Date(Number(epochDays) * 86_400_000);
  if (Number.isNaN(date.getTime())) throw new RangeError(`day ${epochDays} is out of range`);
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`day ${epochDays} is outside years 0000-9999`);
  return `${pad(year, 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`;
}

export function formatTime(micros: bigint, fsp: number): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const seconds = abs / MICROS_PER_SECOND;
  const hours = seconds / 3600n;
  const clock = `${pad(hours, 2)}:${pad((seconds / 60n) % 60n, 2)}:${pad(seconds % 60n, 2)}`;
  return `${negative ? '-' : ''}${clock}${fraction(abs % MICROS_PER_SECOND, fsp)}`;
}

export function formatDateTime(epochMicros: bigint, fsp: number, separator = ' '): string {
  const days = floorDiv(epochMicros, MICROS_PER_DAY);
  const inDay = epochMicros - days * MICROS_PER_DAY;
  return `${formatDate(days)}${separator}${formatTime(inDay, fsp)}`;
}

const ISO = /^(\d{4,})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** A zoned ISO-8601 timestamp as UTC with fsp fractional digits; undefined when unreadable. */
export function normaliseZonedTimestamp(text: string, fsp: number): string | undefined {
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const epochSeconds = BigInt(
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000,
  );
  // Date.UTC maps years 0-99 to 1900-1999; MariaDB TIMESTAMP starts in 1970, so that never applies.
  const micros = BigInt(frac.padEnd(9, '0').slice(0, 6));
  const offsetMinutes = zoneOffsetMinutes(zone);
  const utcMicros =
    epochSeconds * MICROS_PER_SECOND + micros - BigInt(offsetMinutes) * 60n * MICROS_PER_SECOND;
  return `${formatDateTime(utcMicros, fsp, 'T')}Z`;
}

function zoneOffsetMinutes(zone: string): number {
  if (zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}
