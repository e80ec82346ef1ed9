/**
 * JSON from clients, parsed with two guarantees `JSON.parse` alone does not give:
 *
 * - **Bounded depth.** No request of the API nests deeper than a few levels; a body nested
 *   deeper than `maxDepth` is refused before anything walks it (a value 10,000 arrays deep would
 *   overflow the stack of any recursive walk or of JSON.stringify in an error message).
 * - **No silent rounding.** A number whose text does not survive a double (its shortest
 *   round-trip form differs: `0.12345678901234567890123`, `12345678901234567890`,
 *   `1.0000000000000001`) becomes a `LossyNumber` holding its text, so the field that receives it
 *   refuses it by name (INTEGER_PRECISION_LOST, DECIMAL_PRECISION_LOST) instead of storing a
 *   value the client never sent. `0.1` or `1e3` survive and stay numbers. Strings stay exact.
 *
 * One regular-expression scan finds the numbers and brackets outside string bodies; only when a
 * lossy number exists is the text rewritten (those numbers become tagged strings carrying a
 * per-parse random nonce, which no client string can forge) and the parsed value walked.
 */
import { randomBytes } from 'node:crypto';
import { CuttleError, previewText } from '../errors.ts';

/** A JSON number that a double cannot carry exactly, kept as the client's text. */
export class LossyNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  /** For error messages (lib/errors.ts describeValue). */
  describe(): string {
    return `the number ${previewText(this.text)}, which JSON cannot carry exactly`;
  }
  toJSON(): string {
    return this.text;
  }
}

export interface WireJsonOptions {
  /** Deepest nesting of arrays and objects accepted. @defaultValue 32 */
  readonly maxDepth?: number;
}

export const DEFAULT_MAX_JSON_DEPTH = 32;

// A string (body unrolled so that long strings cost one step), a number, or a bracket.
const TOKENS = /"[^"\\]*(?:\\.[^"\\]*)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[[{]|[\]}]/g;
// Integers of up to 15 digits always fit a double exactly.
const SHORT_INTEGER = /^-?\d{1,15}$/;
const NUMBER_PARTS = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * A number's value as sign, significant digits and exponent (`-12.50` → `-125e-1`), so two texts
 * compare equal exactly when they denote the same decimal. Undefined for non-numbers (Infinity).
 */
function normalNumber(text: string): string | undefined {
  const parts = NUMBER_PARTS.exec(text);
  if (parts === null) return undefined;
  const [, sign = '', int = '', frac = '', exp = '0'] = parts;
  let digits = (int + frac).replace(/^0+/, '');
  if (digits === '') return '0';
  let exponent = Number(exp) - frac.length;
  const trimmed = digits.replace(/0+$/, '');
  exponent += digits.length - trimmed.length;
  digits = trimmed;
  return `${sign}${digits}e${exponent}`;
}

/** True when the double JSON.parse makes of `text` denotes exactly the decimal `text` does. */
export function numberTextIsExact(text: string): boolean {
  if (SHORT_INTEGER.test(text)) return true;
  const value = Number(text);
  if (!Number.isFinite(value)) return false;
  const wanted = normalNumber(text);
  return wanted !== undefined && wanted === normalNumber(String(value));
}

interface Scan {
  readonly lossy: { readonly at: number; readonly text: string }[];
}

function scan(text: string, maxDepth: number): Scan {
  const lossy: { at: number; text: string }[] = [];
  let depth = 0;
  TOKENS.lastIndex = 0;
  for (let match = TOKENS.exec(text); match !== null; match = TOKENS.exec(text)) {
    const token = match[0];
    const first = token.charCodeAt(0);
    if (first === QUOTE) continue;
    if (first === OPEN_ARRAY || first === OPEN_OBJECT) {
      if (++depth > maxDepth) {
        throw new CuttleError('JSON_TOO_DEEP', `the request body nests deeper than ${maxDepth} levels`, {
          details: { maxDepth },
        });
      }
    } else if (first === CLOSE_ARRAY || first === CLOSE_OBJECT) {
      depth--;
    } else if (!numberTextIsExact(token)) {
      lossy.push({ at: match.index, text: token });
    }
  }
  return { lossy };
}

const QUOTE = 0x22;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** Parses client JSON; throws a CuttleError (BAD_REQUEST, JSON_TOO_DEEP) for what it refuses. */
export function parseWireJson(text: string, options: WireJsonOptions = {}): unknown {
  const { lossy } = scan(text, options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH);
  if (lossy.length === 0) return parseOrRefuse(text);
  const tag = `\u0000${randomBytes(12).toString('base64')}:`;
  let rewritten = '';
  let copiedUpTo = 0;
  lossy.forEach((number, i) => {
    rewritten += `${text.slice(copiedUpTo, number.at)}"\\u0000${tag.slice(1)}${i}"`;
    copiedUpTo = number.at + number.text.length;
  });
  rewritten += text.slice(copiedUpTo);
  return untag(parseOrRefuse(rewritten), tag, lossy);
}

function parseOrRefuse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CuttleError('BAD_REQUEST', `the request body is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Replaces tagged strings by LossyNumbers, in place; recursion is bounded by the depth check. */
function untag(value: unknown, tag: string, lossy: Scan['lossy']): unknown {
  if (typeof value === 'string') {
    if (!value.startsWith(tag)) return value;
    const number = lossy[Number(value.slice(tag.length))];
    return number === undefined ? value : new LossyNumber(number.text);
  }
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = untag(value[i], tag, lossy);
    return value;
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const before = object[key];
    const after = untag(before, tag, lossy);
    // An own "__proto__" (JSON.parse makes one) shadows the accessor: assignment stays own.
    if (after !== before) object[key] = after;
  }
  return object;
}
