/**
 * fast-check arbitraries for the HTTP side of the hostile-input suite (fuzz.test.ts): hostile path
 * segments, bad percent-encoding, repeated query keys, and raw HTTP that Node's parser must refuse.
 */
import fc from 'fast-check';
import { METHODS } from 'node:http';
import { hostileString } from './fuzz-arbitraries.ts';

// ---------------------------------------------------------------------------------------------
// Paths and query strings

/** Percent-encodes UTF-8; a lone surrogate becomes its (invalid) three-byte CESU form. */
export function percentEncode(text: string): string {
  let out = '';
  for (const ch of text) {
    const unit = ch.charCodeAt(0);
    if (/^[A-Za-z0-9_.~-]$/.test(ch)) out += ch;
    else if (ch.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      const bytes = [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)];
      out += bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** Percent-encoding that does not decode: bad hex, cut short, or bytes that are not UTF-8. */
export const badPercent: fc.Arbitrary<string> = fc.constantFrom(
  '%',
  '%zz',
  '%E0%A4%A',
  '%C0%AF',
  '%ED%A0%80',
  '%FF',
  '%F8%88%80%80%80',
  'a%',
  '%%41',
  '%0',
);

/** A path segment: the segment `known` chose, a hostile one, an over-long one or bad encoding. */
export function segment(known: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 10, arbitrary: fc.constant(known) },
    { weight: 3, arbitrary: hostileString.map(percentEncode) },
    { weight: 1, arbitrary: fc.integer({ min: 101, max: 3000 }).map((n) => 'p'.repeat(n)) },
    { weight: 1, arbitrary: badPercent },
  );
}

/** A query string: the operation's names and junk, keys repeated, values hostile or badly encoded. */
export function queryString(names: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('writer', 'table', 'confirm', ...names) },
    { weight: 1, arbitrary: hostileString.map(percentEncode) },
  );
  const value = fc.oneof(
    fc.constantFrom('hostile-writer', 'hostile.things', 'a,b', '', 'x.y.z', '.', 'hostile.'),
    hostileString.map(percentEncode),
    badPercent,
  );
  const pair = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(key, value).map(([k, v]) => `${k}=${v}`) },
    { weight: 1, arbitrary: key },
  );
  return fc.oneof(
    // Any key given twice is refused before the route runs: most requests carry no query, so
    // that what is behind the query check gets its share.
    { weight: 6, arbitrary: fc.constant('') },
    { weight: 2, arbitrary: pair.map((p) => `?${p}`) },
    { weight: 2, arbitrary: fc.array(pair, { minLength: 2, maxLength: 5 }).map((p) => `?${p.join('&')}`) },
  );
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP that must be refused before routing

export type MalformedKind =
  | 'cl-and-te'
  | 'two-content-lengths'
  | 'bad-chunk-size'
  | 'bad-header-name'
  | 'unknown-method'
  | 'oversized-headers'
  | 'bad-content-length'
  | 'bad-transfer-encoding'
  | 'bad-version'
  | 'cr-in-header-value';

export interface Malformed {
  readonly kind: MalformedKind;
  /**
   * The fault is in the body's framing: a route that reads no body (GET, DELETE) may answer
   * before the parser reaches it, and rightly so.
   */
  readonly inBody?: boolean;
  /** The whole request, from its method, target and well-formed headers. */
  readonly build: (method: string, target: string, headers: string) => Buffer;
}

const KNOWN_METHODS = new Set(METHODS);

const badNameChar = fc.constantFrom(
  '\u0000',
  ' ',
  '(',
  ')',
  '<',
  '>',
  '@',
  ',',
  ';',
  '"',
  '/',
  '[',
  ']',
  '?',
  '=',
  '{',
  '}',
  '\u007f',
  '\u0001',
  'é',
);

const tail = (headers: string, extra: string, body: string): Buffer =>
  Buffer.from(`${headers}${extra}\r\n${body}`, 'latin1');

/** A malformation Node's HTTP parser must refuse, for a request with the given line and headers. */
export const malformed: fc.Arbitrary<Malformed> = fc.oneof(
  fc.constant<Malformed>({
    kind: 'cl-and-te',
    build: (m, t, h) =>
      tail(
        `${m} ${t} HTTP/1.1\r\n${h}`,
        'content-length: 4\r\ntransfer-encoding: chunked\r\n',
        '2\r\n{}\r\n0\r\n\r\n',
      ),
  }),
  fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 20 })).map(([a, d]): Malformed => ({
    kind: 'two-content-lengths',
    build: (m, t, h) =>
      tail(
        `${m} ${t} HTTP/1.1\r\n${h}`,
        `content-length: ${a}\r\ncontent-length: ${a + d}\r\n`,
        '{'.repeat(a + d),
      ),
  })),
  fc
    .tuple(
      fc.constantFrom('g', 'z', 'x', '-', '+', 'G', '@'),
      fc.string({ unit: 'binary-ascii', maxLength: 6 }),
    )
    .map(([first, rest]) => `${first}${rest.replace(/[\r\n]/g, '')}`)
    .map((size): Malformed => ({
      kind: 'bad-chunk-size',
      inBody: true,
      build: (m, t, h) =>
        tail(
          `${m} ${t} HTTP/1.1\r\n${h}`,
          'content-type: application/json\r\ntransfer-encoding: chunked\r\n',
          `${size}\r\n{}\r\n0\r\n\r\n`,
        ),
    })),
  fc
    .tuple(fc.stringMatching(/^[a-z]{0,8}$/), badNameChar, fc.stringMatching(/^[a-z]{0,8}$/))
    .map(([a, bad, b]): Malformed => ({
      kind: 'bad-header-name',
      build: (m, t, h) => tail(`${m} ${t} HTTP/1.1\r\n${h}`, `x${a}${bad}${b}: 1\r\n`, ''),
    })),
  fc
    .stringMatching(/^[A-Za-z_-]{1,12}$/)
    .filter((m) => !KNOWN_METHODS.has(m))
    .map((method): Malformed => ({
      kind: 'unknown-method',
      build: (_m, t, h) => tail(`${method} ${t} HTTP/1.1\r\n${h}`, '', ''),
    })),
  fc.tuple(fc.integer({ min: 70_000, max: 100_000 }), fc.boolean()).map(([size, many]): Malformed => ({
    kind: 'oversized-headers',
    build: (m, t, h) => {
      const extra = many
        ? Array.from({ length: Math.ceil(size / 20) }, (_, i) => `x-h${i}: ${'v'.repeat(12)}\r\n`).join('')
        : `x-big: ${'a'.repeat(size)}\r\n`;
      return tail(`${m} ${t} HTTP/1.1\r\n${h}`, extra, '');
    },
  })),
  fc
    .constantFrom('-1', 'abc', '1 2', '0x10', '+5', '1.5', '99999999999999999999999')
    .map((value): Malformed => ({
      kind: 'bad-content-length',
      build: (m, t, h) => tail(`${m} ${t} HTTP/1.1\r\n${h}`, `content-length: ${value}\r\n`, '{}'),
    })),
  fc.constantFrom('gzip', 'chunked, gzip', 'chunked\u0000', 'xchunked').map((value): Malformed => ({
    kind: 'bad-transfer-encoding',
    inBody: true,
    build: (m, t, h) => tail(`${m} ${t} HTTP/1.1\r\n${h}`, `transfer-encoding: ${value}\r\n`, '0\r\n\r\n'),
  })),
  fc
    // HTTP/2.0 is absent: Node's parser takes it in a request line as a version it can answer.
    .constantFrom('HTTP/1.2', 'HTTP/3.1', 'HTTX/1.1', 'HTTP/1', 'http/1.1', 'HTTP/1.1 extra')
    .map((version): Malformed => ({
      kind: 'bad-version',
      build: (m, t, h) => tail(`${m} ${t} ${version}\r\n${h}`, '', ''),
    })),
  fc.constantFrom('\r', '\u0000', '\rx', 'a\rb').map((bad): Malformed => ({
    kind: 'cr-in-header-value',
    build: (m, t, h) => tail(`${m} ${t} HTTP/1.1\r\n${h}`, `x-v: a${bad}z\r\n`, ''),
  })),
);
