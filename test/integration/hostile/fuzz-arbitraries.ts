/**
 * fast-check arbitraries for the JSON side of the generated hostile-input suite (fuzz.test.ts):
 * bodies written as text (so they can hold what JSON.stringify never writes: repeated keys, 1e400,
 * -0, 10,000 levels of nesting, raw control characters), hostile strings and numbers. Paths,
 * query strings and malformed HTTP are in fuzz-http.ts; the OpenAPI operations in fuzz-openapi.ts.
 */
import fc from 'fast-check';

/** A JSON value as the generator builds it; rendered to text by jsonText. */
export type JsonNode =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'string'; readonly value: string; readonly raw: boolean }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, JsonNode])[] }
  | {
      readonly kind: 'deep';
      readonly depth: number;
      readonly open: 'array' | 'object';
      readonly leaf: JsonNode;
    };

/**
 * `raw` strings are written without escaping anything but quotes and backslashes: control
 * characters and NUL then appear literally, which JSON forbids (the body must be refused).
 * Escaped strings use JSON.stringify, which writes lone surrogates as \udxxx escapes.
 */
function stringText(value: string, raw: boolean): string {
  if (!raw) return JSON.stringify(value);
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

export function jsonText(node: JsonNode): string {
  switch (node.kind) {
    case 'literal':
      return node.text;
    case 'string':
      return stringText(node.value, node.raw);
    case 'array':
      return `[${node.items.map(jsonText).join(',')}]`;
    case 'object':
      return `{${node.entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
    case 'deep': {
      const [open, close] = node.open === 'array' ? ['[', ']'] : ['{"a":', '}'];
      return `${open.repeat(node.depth)}${jsonText(node.leaf)}${close.repeat(node.depth)}`;
    }
  }
}

/** Numbers as JSON text: beyond a double, beyond 64 bits, -0, exponents, at the decimal limit. */
export const numberText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '0',
    '-0',
    '-0.0',
    '1e400',
    '-1e400',
    '1e-400',
    '1E+2',
    '0.1',
    '1.5',
    '-12.50',
    '12345678901234567890',
    '9007199254740991',
    '9007199254740992',
    '9007199254740993',
    '-9007199254740993',
    '1.0000000000000001',
    '0.12345678901234567890123',
    '9223372036854775807',
    '9223372036854775808',
    '-9223372036854775808',
    '-9223372036854775809',
    '18446744073709551616',
    `0.${'1'.repeat(98)}`,
    `0.${'1'.repeat(99)}`,
    `${'9'.repeat(99)}.9`,
    '1'.repeat(400),
    `1${'0'.repeat(400)}`,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? '-0' : String(d))),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
  fc
    .tuple(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.stringMatching(/^[0-9]{1,40}$/))
    .map(([int, frac]) => `${int}.${frac}`),
);

/** Strings no writer should get into ctldb unchecked. Never the name of a real family. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 24 }),
  fc.string({ unit: 'binary-ascii', maxLength: 24 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\uD800',
    '\uDFFF',
    'x\uDBFFy',
    '\uFFFF',
    '\uFEFF',
    '😀',
    '𝄞'.repeat(48),
    'é'.repeat(192),
    'a'.repeat(191),
    'a'.repeat(192),
    'b'.repeat(5000),
    'sqlite_master',
    'cuttle_writers',
    '../../etc',
    '%00',
    'AQI=',
    'AQI',
    '====',
    '-_-_',
    'null',
    'true',
    '1e400',
    '-0',
    "'; DROP TABLE cuttle_writers; --",
    '9223372036854775808',
  ),
  numberText,
);

/** Keys of bodies: the names the API knows (so bodies get past shape checks), field names, or junk. */
const KNOWN_KEYS = [
  'mutations',
  'offsets',
  'table',
  'op',
  'values',
  'key',
  'stream',
  'expected',
  'next',
  'fields',
  'keyFields',
  'name',
  'type',
  'secret',
  'families',
  'global',
  'cursor',
  'limit',
  'rateAmount',
  'ratePeriodMs',
  'warnBytes',
  'maxBytes',
  '__proto__',
  'constructor',
];

export function keyOf(extraKeys: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...KNOWN_KEYS, ...extraKeys) },
    { weight: 1, arbitrary: hostileString },
  );
}

const literal = (text: string): JsonNode => ({ kind: 'literal', text });
const str = (value: string, raw = false): JsonNode => ({ kind: 'string', value, raw });

export function scalarNode(strings: fc.Arbitrary<string>): fc.Arbitrary<JsonNode> {
  return fc.oneof(
    { weight: 4, arbitrary: strings.map((s) => str(s)) },
    { weight: 1, arbitrary: strings.map((s) => str(s, true)) },
    { weight: 4, arbitrary: numberText.map(literal) },
    { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null').map(literal) },
  );
}

/** Nesting beyond the bound (and just under it), around a scalar. */
const deepNode = (leaf: fc.Arbitrary<JsonNode>): fc.Arbitrary<JsonNode> =>
  fc.record({
    kind: fc.constant('deep' as const),
    depth: fc.oneof(fc.integer({ min: 28, max: 40 }), fc.integer({ min: 1000, max: 12_000 })),
    open: fc.constantFrom('array' as const, 'object' as const),
    leaf,
  });

/** Random JSON of any shape, keys drawn from `keys` (so repeated keys are common). */
export function jsonNode(keys: fc.Arbitrary<string>, strings: fc.Arbitrary<string>): fc.Arbitrary<JsonNode> {
  const scalar = scalarNode(strings);
  return fc.letrec<{ node: JsonNode; array: JsonNode; object: JsonNode }>((tie) => ({
    node: fc.oneof(
      { maxDepth: 4, depthSize: 'small' },
      // Deep nesting is rare per node (a body has many), so that it is not in every other body.
      { weight: 50, arbitrary: scalar },
      { weight: 20, arbitrary: tie('array') },
      { weight: 30, arbitrary: tie('object') },
      { weight: 2, arbitrary: deepNode(scalar) },
    ),
    array: fc.array(tie('node'), { maxLength: 4 }).map((items): JsonNode => ({ kind: 'array', items })),
    object: fc
      .array(fc.tuple(keys, tie('node')), { maxLength: 5 })
      .map((entries): JsonNode => ({ kind: 'object', entries })),
  })).node;
}

/**
 * A value for one field of the fixture's table: hostile text or numbers, or (rarely) any JSON.
 * The field's own type is not respected on purpose.
 */
function fieldValue(any: fc.Arbitrary<JsonNode>): fc.Arbitrary<JsonNode> {
  return fc.oneof(
    { weight: 5, arbitrary: scalarNode(hostileString) },
    { weight: 4, arbitrary: plausibleValue },
    { weight: 1, arbitrary: any },
  );
}

/** Values some field of the fixture takes (integers, names, base64, decimals), so rows get written. */
const plausibleValue: fc.Arbitrary<JsonNode> = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map((n) => literal(String(n))),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => str(String(n))),
  fc.stringMatching(/^[a-z]{1,12}$/).map((t) => str(t)),
  fc.uint8Array({ maxLength: 40 }).map((b) => str(Buffer.from(b).toString('base64'))),
  fc
    .tuple(fc.integer({ min: -99999, max: 99999 }), fc.stringMatching(/^[0-9]{1,30}$/))
    .map(([i, f]) => str(`${i}.${f}`)),
  fc.constant(literal('null')),
);

/** `{field: value, ...}` over the fixture's fields, with fields repeated, missing or unknown. */
export function valuesNode(fields: readonly string[], any: fc.Arbitrary<JsonNode>): fc.Arbitrary<JsonNode> {
  const entry = fc.tuple(
    fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...fields) }, { weight: 1, arbitrary: hostileString }),
    fieldValue(any),
  );
  return fc.array(entry, { minLength: 0, maxLength: fields.length + 2 }).map((entries) => ({
    kind: 'object',
    entries,
  }));
}

/** A mutation batch close to a valid one, so the value checks behind the shape checks are reached. */
export function mutationBody(
  table: string,
  fields: readonly string[],
  any: fc.Arbitrary<JsonNode>,
): fc.Arbitrary<JsonNode> {
  const tableName = fc.oneof(
    { weight: 6, arbitrary: fc.constant(str(table)) },
    { weight: 1, arbitrary: any },
  );
  const op = fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: fc.constantFrom('upsert', 'delete').map((s) => str(s)) },
    { weight: 1, arbitrary: fc.constantFrom('UPSERT', 'insert', '').map((s) => str(s)) },
    { weight: 1, arbitrary: any },
  );
  const mutation = fc
    .tuple(tableName, op, valuesNode(fields, any), fc.boolean())
    .map(([t, o, values, asKey]): JsonNode => {
      const entries: [string, JsonNode][] = [['table', t]];
      if (o !== undefined) entries.push(['op', o]);
      entries.push([asKey ? 'key' : 'values', values]);
      return { kind: 'object', entries };
    });
  // Offsets are checked before the rows: mostly well formed, so that the rows are reached.
  const offsetText = fc.oneof(
    { weight: 4, arbitrary: fc.stringMatching(/^[\x20-\x7e]{1,20}$/).map((t) => str(t)) },
    { weight: 1, arbitrary: scalarNode(hostileString) },
  );
  const offset = fc
    .tuple(offsetText, fc.oneof(fc.constant(literal('null')), offsetText), offsetText)
    .map(([stream, expected, next]): JsonNode => ({
      kind: 'object',
      entries: [
        ['stream', stream],
        ['expected', expected],
        ['next', next],
      ],
    }));
  const offsets = fc.oneof(
    { weight: 4, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.array(offset, { minLength: 1, maxLength: 2 }) },
  );
  return fc
    .tuple(fc.array(mutation, { minLength: 1, maxLength: 3 }), offsets)
    .map(([mutations, offsetList]): JsonNode => {
      const entries: [string, JsonNode][] = [['mutations', { kind: 'array', items: mutations }]];
      if (offsetList.length > 0) entries.push(['offsets', { kind: 'array', items: offsetList }]);
      return { kind: 'object', entries };
    });
}

/**
 * One upsert of a valid row with one field replaced by a hostile value: each refusal is then the
 * value check of that field (type, exactness, size, encoding), not an earlier shape check.
 */
export function oneHostileField(
  table: string,
  valid: Readonly<Record<string, string>>,
  any: fc.Arbitrary<JsonNode>,
): fc.Arbitrary<JsonNode> {
  const fields = Object.keys(valid);
  return fc
    .tuple(fc.constantFrom(...fields), fieldValue(any), fc.integer({ min: 1000, max: 1100 }))
    .map(([field, value, id]): JsonNode => {
      const entries = fields.map((f): [string, JsonNode] => [
        f,
        f === field ? value : f === 'id' ? literal(String(id)) : literal(valid[f] ?? 'null'),
      ]);
      const values: JsonNode = { kind: 'object', entries };
      const mutation: JsonNode = {
        kind: 'object',
        entries: [
          ['table', str(table)],
          ['values', values],
        ],
      };
      return { kind: 'object', entries: [['mutations', { kind: 'array', items: [mutation] }]] };
    });
}
