/**
 * The hostile-input suites' fixture: an executive over a throwaway ctldb of either dialect with
 * one family of every field type, writers of several scopes and a few committed rows; a
 * fingerprint of everything ctldb holds (rows, ledger head, offsets, writers, scopes, limits);
 * and a raw HTTP/1.1 client over a net socket, for requests fetch would refuse to send.
 */
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import type { Ctldb, SqlRow } from '../../../lib/ctldb/dialect.ts';
import { LEDGER_TABLE } from '../../../lib/ledger/entry.ts';
import { physicalTableName, quoteIdent } from '../../../lib/schema/names.ts';
import type { ExecutiveConfig } from '../../../services/executive/config.ts';
import type { TestDialect } from '../../support/ctldb.ts';
import { startTestExecutive, type TestExecutive, type WriterCredentials } from '../../support/executive.ts';

export const FAMILY = 'hostile';
export const OTHER_FAMILY = 'bystander';
export const TABLE = 'things';
export const FIELDS = [
  ['id', 'integer'],
  ['name', 'string'],
  ['raw', 'bytestring'],
  ['price', 'decimal'],
  ['note', 'text'],
  ['blob', 'binary'],
] as const;
export const KEY_FIELDS = ['id', 'name'];

/** The ctldb tables a refusal must leave untouched, besides the family tables and the ledger. */
const STATE_TABLES = [
  'cuttle_families',
  'cuttle_tables',
  'cuttle_writers',
  'cuttle_writer_scopes',
  'cuttle_writer_offsets',
  'cuttle_writer_limits',
  'cuttle_table_limits',
];

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export class HostileRig {
  readonly ex: TestExecutive;
  /** Scoped to FAMILY. */
  readonly writer: WriterCredentials;
  /** Scoped to OTHER_FAMILY only. */
  readonly outsider: WriterCredentials;

  private constructor(ex: TestExecutive, writer: WriterCredentials, outsider: WriterCredentials) {
    this.ex = ex;
    this.writer = writer;
    this.outsider = outsider;
  }

  static async start(dialect: TestDialect, config: Partial<ExecutiveConfig> = {}): Promise<HostileRig> {
    const ex = await startTestExecutive(dialect, {
      area: 'hostile',
      config: { maxBodyBytes: 256 * 1024, maxBatchMutations: 100, ...config },
    });
    try {
      await ex.setupTable(FAMILY, TABLE, FIELDS, KEY_FIELDS);
      await ex.setupTable(OTHER_FAMILY, TABLE, FIELDS, KEY_FIELDS);
      const writer = await ex.registerWriter('hostile-writer', undefined, { families: [FAMILY] });
      const outsider = await ex.registerWriter('outsider', undefined, { families: [OTHER_FAMILY] });
      const seeded = await ex.mutate(writer, FAMILY, {
        mutations: [
          {
            table: TABLE,
            values: { id: 1, name: 'one', price: '1.50', note: 'n', raw: 'AQI=', blob: 'AA==' },
          },
          { table: TABLE, values: { id: '9223372036854775807', name: 'max' } },
        ],
        offsets: [{ stream: 'topic/0', expected: null, next: '2' }],
      });
      if (seeded.status !== 200) throw new Error(`seeding failed: ${seeded.status}`);
      await ex.admin('PUT', `/limits/writers/${writer.writer}`, { rateAmount: 100000, ratePeriodMs: 1000 });
      return new HostileRig(ex, writer, outsider);
    } catch (err) {
      await ex.close();
      throw err;
    }
  }

  get port(): number {
    return Number(new URL(this.ex.url).port);
  }

  close(): Promise<void> {
    return this.ex.close();
  }

  /** A digest of everything ctldb holds that a request could change. */
  async fingerprint(): Promise<string> {
    const hash = createHash('sha256');
    for (const [label, text] of await this.state()) hash.update(`${label}\n${text}\n`);
    return hash.digest('hex');
  }

  /** What fingerprint() digests, part by part (to say what changed when a digest differs). */
  async state(): Promise<Map<string, string>> {
    const ctldb = this.ex.db.ctldb;
    const parts = new Map<string, string>();
    const add = (label: string, rows: SqlRow[]) => parts.set(label, rows.map(rowText).join('\n'));
    for (const table of STATE_TABLES) add(table, await ctldb.all(`SELECT * FROM ${table}`).then(sorted));
    add('ledger', await ctldb.all(`SELECT MAX(seq) AS head, COUNT(*) AS entries FROM ${LEDGER_TABLE}`));
    for (const family of [FAMILY, OTHER_FAMILY]) add(family, await familyRows(ctldb, family));
    return parts;
  }

  /** Sends `request` as is over a fresh connection and reads the one response. */
  raw(request: string | Buffer, timeoutMs = 5000): Promise<RawResponse> {
    return rawExchange(this.port, request, timeoutMs);
  }
}

async function familyRows(ctldb: Ctldb, family: string): Promise<SqlRow[]> {
  return sorted(await ctldb.all(`SELECT * FROM ${quoteIdent(physicalTableName(family, TABLE))}`));
}

function valueText(value: unknown): string {
  if (Buffer.isBuffer(value)) return `0x${value.toString('hex')}`;
  return String(value);
}

function rowText(row: SqlRow): string {
  return Object.keys(row)
    .sort()
    .map((k) => `${k}=${valueText(row[k])}`)
    .join(',');
}

const sorted = (rows: SqlRow[]): SqlRow[] => [...rows].sort((a, b) => rowText(a).localeCompare(rowText(b)));

/** Parses one HTTP/1.1 response (content-length or connection close) from raw bytes. */
function parseResponse(bytes: Buffer): RawResponse | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = headers['content-length'];
  const body = bytes.subarray(end + 4);
  if (length !== undefined && body.length < Number(length)) return undefined;
  return {
    status,
    headers,
    body: body.subarray(0, length === undefined ? body.length : Number(length)).toString('utf8'),
  };
}

export function rawExchange(port: number, request: string | Buffer, timeoutMs: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (fail?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const response = parseResponse(received);
      if (response !== undefined) resolve(response);
      else
        reject(
          fail ??
            new Error(
              `no complete response (got ${JSON.stringify(received.toString('latin1').slice(0, 200))})`,
            ),
        );
    };
    const timer = setTimeout(() => finish(new Error('timed out waiting for a response')), timeoutMs);
    // Written, not ended: Node's server aborts a request whose client half-closed the connection.
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const response = parseResponse(received);
      if (response !== undefined && response.headers['content-length'] !== undefined) finish();
    });
    socket.on('close', () => finish());
    socket.on('error', (err) => finish(err));
  });
}
