/**
 * The generated hostile-input suite (issue 12): fast-check requests against every operation of
 * the executive's OpenAPI document, on both ctldb dialects, sent as raw bytes over a socket.
 * For every answer: never a 5xx; every refusal has cuttle's error body with a code of
 * lib/errors.ts whose status is the answer's; and ctldb's fingerprint is what it was before the
 * refusal (checked after every request that could change state, and after each run of reads).
 *
 * The seed is fixed (FUZZ_SEED overrides it, FUZZ_RUNS the number of requests) so a failure
 * replays; a failure message names the seed. The requests share one executive, so a failure
 * replays exactly only from the start of the run (no shrinking: endOnFailure).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../lib/errors.ts';
import { CTLDB_DIALECTS } from '../../support/ctldb.ts';
import {
  hostileString,
  jsonNode,
  jsonText,
  keyOf,
  mutationBody,
  oneHostileField,
  valuesNode,
  type JsonNode,
} from './fuzz-arbitraries.ts';
import { malformed, queryString, segment, type Malformed } from './fuzz-http.ts';
import { operationsOf, type OpenApiDoc, type Operation } from './fuzz-openapi.ts';
import { FAMILY, FIELDS, HostileRig, OTHER_FAMILY, TABLE, type RawResponse } from './rig.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 1212);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const VALUE_RUNS = Math.max(50, Math.round(RUNS / 4));
const MALFORMED_RUNS = Math.max(50, Math.round(RUNS / 4));
/** A writer the writer-management routes may rotate, rescope and limit without hurting the rig's. */
const VICTIM = 'fuzz-victim';
const FIELD_NAMES = FIELDS.map(([name]) => name);
/** A valid row of the fixture's table as JSON texts by field (the id is generated). */
const VALID_ROW: Readonly<Record<string, string>> = {
  id: '0',
  name: '"fuzzed"',
  raw: '"AQI="',
  price: '"1.50"',
  note: '"n"',
  blob: '"AA=="',
};

type AuthKind = 'admin' | 'writer' | 'outsider' | 'none' | 'wrong-bearer' | 'wrong-secret' | 'two-writers';

interface Body {
  readonly bytes: Buffer;
  readonly contentType: string | undefined;
}

interface FuzzRequest {
  readonly op: Operation;
  readonly target: string;
  readonly auth: AuthKind;
  readonly body: Body | undefined;
}

const readsBody = (op: Operation): boolean => op.method !== 'GET' && op.method !== 'DELETE';
const isRead = (op: Operation): boolean => op.method === 'GET';
const isAdminChange = (op: Operation): boolean =>
  !isRead(op) && op.security.some((s) => 'admin' in s) && !op.security.some((s) => 'writer' in s);

/**
 * The value of a path parameter when it is not made hostile: admin changes aim at the bystander
 * family and a victim writer, so that a request that happens to be valid (a drop, a rotation, a
 * tiny limit) cannot take the rig's own family or writer away from the rest of the run.
 */
function knownParam(op: Operation, name: string, writer: string): string {
  const change = isAdminChange(op);
  if (name === 'family') return change ? OTHER_FAMILY : FAMILY;
  if (name === 'table') return TABLE;
  if (name === 'writer') return change ? VICTIM : writer;
  return 'x';
}

function targetOf(op: Operation, writer: string): fc.Arbitrary<string> {
  const parts = op.path.split(/(\{[^}]+\})/).filter((p) => p !== '');
  const segments = parts.map((part) =>
    part.startsWith('{') ? segment(knownParam(op, part.slice(1, -1), writer)) : fc.constant(part),
  );
  return fc
    .tuple(fc.tuple(...segments), queryString(op.queryNames))
    .map(([path, query]) => `${path.join('')}${query}`);
}

function authOf(op: Operation): fc.Arbitrary<AuthKind> {
  const declared = (scheme: string) => (op.security.some((s) => scheme in s) ? 12 : 1);
  return fc.oneof(
    { weight: declared('admin'), arbitrary: fc.constant<AuthKind>('admin') },
    { weight: declared('writer'), arbitrary: fc.constant<AuthKind>('writer') },
    { weight: 2, arbitrary: fc.constant<AuthKind>('none') },
    { weight: 1, arbitrary: fc.constant<AuthKind>('outsider') },
    { weight: 1, arbitrary: fc.constant<AuthKind>('wrong-bearer') },
    // Each costs an scrypt (and counts towards the throttle of a name the rig does not use).
    { weight: 1, arbitrary: fc.constantFrom<AuthKind>('wrong-secret', 'two-writers') },
  );
}

/** Bytes that are not UTF-8, or JSON cut short. */
const brokenBytes = (text: fc.Arbitrary<string>): fc.Arbitrary<Buffer> =>
  fc.oneof(
    fc
      .tuple(text, fc.nat(), fc.constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80]))
      .map(([t, at, bad]) => {
        const bytes = Buffer.from(t, 'utf8');
        const cut = bytes.length === 0 ? 0 : at % bytes.length;
        return Buffer.concat([bytes.subarray(0, cut), Buffer.from(bad), bytes.subarray(cut)]);
      }),
    fc.tuple(text, fc.nat()).map(([t, at]) => {
      const bytes = Buffer.from(t, 'utf8');
      return bytes.subarray(0, bytes.length === 0 ? 0 : at % bytes.length);
    }),
  );

function bodyOf(op: Operation): fc.Arbitrary<Body | undefined> {
  const keys = keyOf([...op.bodyProperties, ...FIELD_NAMES]);
  const any = jsonNode(keys, hostileString);
  const nearValue = fc.oneof(
    { weight: 3, arbitrary: any },
    { weight: 2, arbitrary: valuesNode(FIELD_NAMES, any) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.oneof(valuesNode(FIELD_NAMES, any), any), { maxLength: 3 })
        .map((items): JsonNode => ({ kind: 'array', items })),
    },
  );
  // The operation's own body properties (repeated, missing, with any value): past the shape checks.
  const nearValid: fc.Arbitrary<JsonNode> =
    op.bodyProperties.length === 0
      ? any
      : fc
          .array(fc.tuple(fc.constantFrom(...op.bodyProperties), nearValue), { minLength: 1, maxLength: 4 })
          .map((entries) => ({ kind: 'object', entries }));
  const shapes: fc.WeightedArbitrary<JsonNode>[] = [
    { weight: 3, arbitrary: any },
    { weight: 4, arbitrary: nearValid },
  ];
  if (op.path.endsWith('/mutations'))
    shapes.push({ weight: 8, arbitrary: mutationBody(TABLE, FIELD_NAMES, any) });
  if (op.path.endsWith('/mutations'))
    shapes.push({ weight: 8, arbitrary: oneHostileField(TABLE, VALID_ROW, any) });
  const text = fc.oneof(...shapes).map(jsonText);
  const contentType = fc.oneof(
    { weight: 12, arbitrary: fc.constant('application/json') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        undefined,
        'text/plain',
        'application/json; charset=latin1',
        'application/x-www-form-urlencoded',
        'APPLICATION/JSON',
        'application/json\u0001',
      ),
    },
  );
  const json = fc.record({
    bytes: fc.oneof(
      { weight: 12, arbitrary: text.map((t) => Buffer.from(t, 'utf8')) },
      { weight: 1, arbitrary: brokenBytes(text) },
    ),
    contentType,
  });
  const withBody = op.method === 'POST' || op.method === 'PUT' || op.method === 'PATCH';
  return fc.oneof(
    { weight: withBody ? 1 : 8, arbitrary: fc.constant(undefined) },
    { weight: withBody ? 10 : 1, arbitrary: json },
  );
}

function requestOf(ops: readonly Operation[], writer: string): fc.Arbitrary<FuzzRequest> {
  // Routes with a body have the most to check, and the writers' routes (mutations, row reads)
  // the most values to check: they are drawn more often.
  const weightOf = (op: Operation): number =>
    op.bodyProperties.length === 0 ? 1 : op.security.some((s) => 'writer' in s) ? 10 : 3;
  const weighted = ops.map((op) => ({ weight: weightOf(op), arbitrary: fc.constant(op) }));
  return fc
    .oneof(...weighted)
    .chain((op) =>
      fc.record({ op: fc.constant(op), target: targetOf(op, writer), auth: authOf(op), body: bodyOf(op) }),
    );
}

interface ErrorBody {
  readonly error?: { readonly code?: unknown; readonly message?: unknown };
}

/** The checks every answer must pass; returns a description of what is wrong, or undefined. */
function wrongAnswer(response: RawResponse): string | undefined {
  if (response.status >= 500) return `a ${response.status}`;
  if (response.status < 400) return undefined;
  if (!/^application\/json/.test(response.headers['content-type'] ?? ''))
    return `a ${response.status} without a JSON body`;
  let body: ErrorBody;
  try {
    body = JSON.parse(response.body) as ErrorBody;
  } catch {
    return `a ${response.status} whose body is not JSON`;
  }
  const code = body.error?.code;
  const message = body.error?.message;
  if (typeof code !== 'string' || !(code in ErrorCodes)) return `a refusal with no stable code`;
  if (ErrorCodes[code as keyof typeof ErrorCodes] !== response.status)
    return `code ${code} with status ${response.status}`;
  if (typeof message !== 'string' || message.length === 0 || message.length > 1000)
    return `code ${code} with a message of ${typeof message === 'string' ? message.length : typeof message} characters`;
  return undefined;
}

/** The parts of ctldb (rig.state()) that differ, before and after. */
function changes(before: Map<string, string>, after: Map<string, string>): string {
  return [...after]
    .filter(([label, text]) => before.get(label) !== text)
    .map(([label, text]) => `${label} was:\n${clip(before.get(label) ?? '', 2000)}\nis:\n${clip(text, 2000)}`)
    .join('\n');
}

const clip = (text: string, max = 400): string =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;

describe.each(CTLDB_DIALECTS)('generated hostile requests on %s', (dialect) => {
  let rig: HostileRig;
  let ops: Operation[];
  let baseline: Map<string, string>;
  /** Refused reads since the last fingerprint: checked together before the next change. */
  let uncheckedReads = 0;
  const stats = { requests: 0, refused: 0, accepted: 0, malformed: 0, codes: new Map<string, number>() };

  beforeAll(async () => {
    rig = await HostileRig.start(dialect);
    await rig.ex.registerWriter(VICTIM, undefined, { families: [OTHER_FAMILY] });
    const doc = await rig.ex.request<OpenApiDoc>('GET', '/openapi.json');
    ops = operationsOf(doc.body);
    baseline = await rig.state();
  });
  afterAll(async () => {
    await rig.close();
  });

  const authHeaders = (auth: AuthKind): string => {
    const { writer, outsider, ex } = rig;
    switch (auth) {
      case 'admin':
        return `authorization: Bearer ${ex.adminToken}\r\n`;
      case 'writer':
        return `x-cuttle-writer: ${writer.writer}\r\nx-cuttle-secret: ${writer.secret}\r\n`;
      case 'outsider':
        return `x-cuttle-writer: ${outsider.writer}\r\nx-cuttle-secret: ${outsider.secret}\r\n`;
      case 'none':
        return '';
      case 'wrong-bearer':
        return `authorization: Bearer not-${ex.adminToken}\r\n`;
      case 'wrong-secret':
        return `x-cuttle-writer: fuzz-stranger\r\nx-cuttle-secret: guessed-secret\r\n`;
      case 'two-writers':
        return `x-cuttle-writer: ${writer.writer}\r\nx-cuttle-writer: ${outsider.writer}\r\nx-cuttle-secret: ${writer.secret}\r\n`;
    }
  };

  const bytesOf = (request: FuzzRequest): Buffer => {
    const { op, target, auth, body } = request;
    let head = `${op.method} ${target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n${authHeaders(auth)}`;
    if (body?.contentType !== undefined) head += `content-type: ${body.contentType}\r\n`;
    if (body !== undefined) head += `content-length: ${body.bytes.length}\r\n`;
    return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body?.bytes ?? Buffer.alloc(0)]);
  };

  /** Sends one request and checks the answer and, when it could have changed state, ctldb. */
  const exchange = async (label: string, method: string, bytes: Buffer, mustRefuse: boolean) => {
    // Refused reads are checked together, before anything that could change ctldb is sent.
    if (method !== 'GET' && uncheckedReads > 0) await checkReads();
    const response = await rig.raw(bytes, 15_000);
    stats.requests += 1;
    const describe = () =>
      `seed ${SEED}, request ${stats.requests} (${label}): ${clip(bytes.toString('latin1'))}\n` +
      `answered ${response.status} ${clip(response.body)}`;
    const wrong =
      wrongAnswer(response) ?? (mustRefuse && response.status < 400 ? 'an acceptance' : undefined);
    if (wrong !== undefined) expect.fail(`${wrong}: ${describe()}`);
    const refused = response.status >= 400;
    const code = refused ? (JSON.parse(response.body) as { error: { code: string } }).error.code : undefined;
    if (code !== undefined) {
      stats.refused += 1;
      stats.codes.set(code, (stats.codes.get(code) ?? 0) + 1);
    } else stats.accepted += 1;
    if (method === 'GET') {
      if (refused) uncheckedReads += 1;
      return code;
    }
    const after = await rig.state();
    if (refused && changes(baseline, after) !== '')
      expect.fail(`ctldb changed after a refusal: ${describe()}\n${changes(baseline, after)}`);
    baseline = after;
    return code;
  };

  const checkReads = async () => {
    const now = await rig.state();
    if (changes(baseline, now) !== '')
      expect.fail(
        `seed ${SEED}: ctldb changed after one of ${uncheckedReads} refused reads\n${changes(baseline, now)}`,
      );
    uncheckedReads = 0;
  };

  const run = async <Ts>(property: fc.IAsyncProperty<Ts>, runs: number) => {
    try {
      await fc.assert(property, { seed: SEED, numRuns: runs, endOnFailure: true });
    } catch (err) {
      console.log(`hostile fuzz on ${dialect} failed with FUZZ_SEED=${SEED}`);
      throw err;
    }
  };

  it(`answers ${RUNS} generated requests against every documented route without a 5xx or a changed ctldb`, async () => {
    const started = Date.now();
    const requests = requestOf(ops, rig.writer.writer);
    await run(
      fc.asyncProperty(requests, async (request) => {
        await exchange(`${request.op.method} ${request.op.path}`, request.op.method, bytesOf(request), false);
      }),
      RUNS,
    );
    await checkReads();
    const routes = new Set(ops.map((o) => `${o.method} ${o.path}`));
    console.log(
      `hostile fuzz ${dialect}: ${stats.requests} requests over ${routes.size} routes in ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED}): ${stats.refused} refused, ` +
        `${stats.accepted} accepted; codes ${JSON.stringify(Object.fromEntries(stats.codes))}`,
    );
    expect(stats.requests).toBe(RUNS);
  });

  it(`checks ${VALUE_RUNS} generated hostile field values in otherwise valid mutations`, async () => {
    const started = Date.now();
    const before = stats.requests;
    const keys = keyOf(FIELD_NAMES);
    const bodies = oneHostileField(TABLE, VALID_ROW, jsonNode(keys, hostileString));
    const mutate = ops.find((o) => o.method === 'POST' && o.path === '/families/{family}/mutations');
    if (mutate === undefined) expect.fail('the OpenAPI document lists no mutation route');
    const codes = new Map<string, number>();
    await run(
      fc.asyncProperty(bodies, async (body) => {
        const request: FuzzRequest = {
          op: mutate,
          target: `/families/${FAMILY}/mutations`,
          auth: 'writer',
          body: { bytes: Buffer.from(jsonText(body), 'utf8'), contentType: 'application/json' },
        };
        const code = await exchange(`a hostile value on ${mutate.path}`, 'POST', bytesOf(request), false);
        codes.set(code ?? 'accepted', (codes.get(code ?? 'accepted') ?? 0) + 1);
      }),
      VALUE_RUNS,
    );
    console.log(
      `hostile fuzz ${dialect}: ${stats.requests - before} hostile field values in ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED}): ${JSON.stringify(Object.fromEntries(codes))}`,
    );
    // The generator is aimed at value checks: most answers come from them, not the shape checks.
    expect(codes.get('BAD_REQUEST') ?? 0).toBeLessThan(VALUE_RUNS / 2);
  });

  it(`refuses ${MALFORMED_RUNS} generated malformed HTTP requests with the error body`, async () => {
    const started = Date.now();
    const before = stats.requests;
    const arb = fc.tuple(
      fc.constantFrom(...ops),
      malformed,
      fc.constantFrom<AuthKind>('admin', 'writer', 'none'),
    );
    await run(
      fc.asyncProperty(arb, async ([op, bad, auth]: [Operation, Malformed, AuthKind]) => {
        const target = op.path
          .replaceAll('{family}', FAMILY)
          .replaceAll('{table}', TABLE)
          .replaceAll('{writer}', VICTIM);
        const headers = `host: x\r\nconnection: close\r\n${authHeaders(auth)}`;
        stats.malformed += 1;
        await exchange(
          `${bad.kind} on ${op.method} ${op.path}`,
          op.method,
          bad.build(op.method, target, headers),
          bad.inBody !== true || readsBody(op),
        );
      }),
      MALFORMED_RUNS,
    );
    await checkReads();
    console.log(
      `hostile fuzz ${dialect}: ${stats.requests - before} malformed HTTP requests in ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED}); ${stats.requests} requests in all`,
    );
    expect(stats.malformed).toBe(MALFORMED_RUNS);
  });
});
