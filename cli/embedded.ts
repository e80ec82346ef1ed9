/**
 * The embedded mode (`npm start`): one process, no external service. The executive on a SQLite
 * ctldb, a reflector following it (woken in-process after each commit), a small sample family
 * loaded through the executive's HTTP API, and a loader reading Debezium change events from a
 * file (cli/embedded-loader.ts), all under a project-local data folder. It prints where everything
 * listens and rows read back through the reader library, then runs until Ctrl-C.
 *
 *   npm start -- [--data-dir .data/embedded] [--port 7070] [--reflector-port 1331]
 *                           [--loader-port 7072] [--events <file>] [--sources <file>]
 *                           [--exit-when-ready] [--log-level warn]
 *
 * `--exit-when-ready` exits (status 0) once the sample rows are readable in the LDB, for scripts.
 * The admin token and the sample writer's secret are kept in <data-dir>/embedded.json, so a
 * restart finds the same ctldb, LDB and credentials.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFlags } from '../lib/config.ts';
import type { Ctldb } from '../lib/ctldb/dialect.ts';
import { ensureError } from '../lib/errors.ts';
import { InProcessLedgerNotifier } from '../lib/ledger/notifier.ts';
import { runUntilSignal, service, ServiceGroup } from '../lib/lifecycle.ts';
import { createLogger } from '../lib/logging.ts';
import { openLdb, type LdbReader } from '../lib/reader/ldb-reader.ts';
import { valueToJson, type Row } from '../lib/schema/values.ts';
import { isEntryPoint } from '../lib/service-main.ts';
import { StatusPublisher } from '../lib/status/publisher.ts';
import { InProcessStatusStore } from '../lib/status/store.ts';
import { createExecutive } from '../services/executive/app.ts';
import { loadExecutiveConfig } from '../services/executive/config.ts';
import { loaderReport } from '../services/loader/status-report.ts';
import { createReflectorApp } from '../services/reflector/app.ts';
import { loadReflectorConfig } from '../services/reflector/config.ts';
import { startEmbeddedLoader, waitCaughtUp, type EmbeddedLoader } from './embedded-loader.ts';
import { ExecutiveClient } from './executive-client.ts';

const FAMILY = 'demo';
const TABLE = 'feature_flags';
const WRITER = 'embedded-sample';
const SAMPLE = [
  { tenant: 1, flag: 'dark_mode', enabled: 1, rollout: '0.25', note: 'gradual rollout' },
  { tenant: 1, flag: 'new_checkout', enabled: 0, rollout: '0', note: null },
  {
    tenant: '9007199254740993',
    flag: 'dark_mode',
    enabled: 1,
    rollout: '1',
    note: 'a tenant id beyond 2^53, exact',
  },
  { tenant: 42, flag: 'Dark_Mode', enabled: 1, rollout: '0.5', note: 'keys are case-sensitive' },
];

interface State {
  readonly adminToken: string;
  readonly writerSecret: string;
}

function loadState(dataDir: string): State {
  const file = join(dataDir, 'embedded.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as State;
  const state = {
    adminToken: randomBytes(18).toString('base64url'),
    writerSecret: randomBytes(18).toString('base64url'),
  };
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return state;
}

/** Creates the sample family, table and writer (idempotent) and upserts the rows; returns the seq. */
async function loadSample(client: ExecutiveClient, writerSecret: string): Promise<number> {
  const tolerate = (codes: string[]) => (err: unknown) => {
    if (!codes.includes((err as { code?: string }).code ?? '')) throw err;
  };
  await client.request('POST', `/families/${FAMILY}`).catch(tolerate(['FAMILY_EXISTS']));
  const fields = [
    ['tenant', 'integer'],
    ['flag', 'string'],
    ['enabled', 'integer'],
    ['rollout', 'decimal'],
    ['note', 'text'],
  ];
  await client
    .request('POST', `/families/${FAMILY}/tables/${TABLE}`, { fields, keyFields: ['tenant', 'flag'] })
    .catch(tolerate(['TABLE_EXISTS']));
  const scope = { families: [FAMILY] };
  await client
    .request('POST', `/writers/${WRITER}`, { secret: writerSecret, ...scope })
    .catch(async (err: unknown) => {
      tolerate(['WRITER_EXISTS'])(err);
      await client.request('POST', `/writers/${WRITER}/rotate`, { secret: writerSecret });
      await client.request('PUT', `/writers/${WRITER}/scope`, scope);
    });
  const response = await fetch(new URL(`/families/${FAMILY}/mutations`, client.base), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-cuttle-writer': WRITER,
      'x-cuttle-secret': writerSecret,
    },
    body: JSON.stringify({ mutations: SAMPLE.map((values) => ({ table: TABLE, values })) }),
  });
  const body = (await response.json()) as { lastSeq?: number; error?: { message: string } };
  if (!response.ok || body.lastSeq == null)
    throw new Error(`sample mutation failed: ${JSON.stringify(body)}`);
  return body.lastSeq;
}

function show(row: Row): string {
  return Object.entries(row)
    .map(([name, value]) => `${name}=${JSON.stringify(valueToJson(value))}`)
    .join(' ');
}

/** Runs the embedded mode with `argv` (the flags above) until a signal, or until ready with --exit-when-ready. */
export async function runEmbedded(argv: readonly string[]): Promise<void> {
  const flags = parseFlags(argv);
  const dataDir = resolve(flags.get('--data-dir') ?? '.data/embedded');
  const exitWhenReady = flags.get('--exit-when-ready') === 'true';
  mkdirSync(dataDir, { recursive: true });
  const state = loadState(dataDir);
  const log = createLogger({ service: 'embedded', level: flags.get('--log-level') ?? 'warn' });
  const notifier = new InProcessLedgerNotifier();
  const ctldbPath = join(dataDir, 'ctldb.sqlite');
  const ldbPath = join(dataDir, 'ldb.db');
  // Status records stay in this process: GET /fleet (and `cuttle status`) shows the three parts.
  const statusStore = new InProcessStatusStore();
  const executive = await createExecutive(
    {
      ...loadExecutiveConfig({}),
      ctldbDriver: 'sqlite',
      limitsMode: 'local',
      ctldbPath,
      port: Number(flags.get('--port') ?? 7070),
      adminToken: state.adminToken,
    },
    { log: log.child({ component: 'executive' }), notifier, statusStore },
  );
  const reflector = await createReflectorApp(
    loadReflectorConfig({
      REFLECTOR_CTLDB: `sqlite:${ctldbPath}`,
      REFLECTOR_LDB_PATH: ldbPath,
      REFLECTOR_CHANGELOG_PATH: join(dataDir, 'changes.ndjson'),
      REFLECTOR_PORT: flags.get('--reflector-port') ?? '1331',
      REFLECTOR_SIDECAR: 'true',
    }),
    { log: log.child({ component: 'reflector' }), wake: notifier, statusStore },
  );
  const group = new ServiceGroup(log);
  group.add(
    service(
      'notifier',
      () => Promise.resolve(),
      () => notifier.close(),
    ),
  );
  group.add(executive.service);
  group.add(reflector.service);
  let loaded: EmbeddedLoader | undefined;
  let loaderStatus: StatusPublisher | undefined;
  const closeAll = async (): Promise<void> => {
    await loaderStatus?.stop();
    await loaded?.loader.stop();
    await reflector.close();
    await executive.close();
    await notifier.close();
  };
  try {
    const seq = await loadSample(new ExecutiveClient(executive.url, state.adminToken), state.writerSecret);
    loaded = await startEmbeddedLoader({
      executiveUrl: executive.url,
      adminToken: state.adminToken,
      dataDir,
      ...optional('eventsPath', flags.get('--events')),
      ...optional('sourcesPath', flags.get('--sources')),
      httpPort: Number(flags.get('--loader-port') ?? 7072),
      log: log.child({ component: 'loader' }),
    });
    loaderStatus = new StatusPublisher({
      sink: statusStore,
      report: loaderReport(loaded.loader),
      log: log.child({ component: 'loader' }),
    });
    await loaderStatus.start();
    await waitCaughtUp(loaded.loader, 30_000);
    const reader = openLdb(ldbPath);
    try {
      if (!(await reader.waitForSeq(seq, 30_000))) throw new Error(`the LDB did not reach seq ${seq}`);
      const head = await ledgerHead(executive.ctldb);
      if (!(await reader.waitForSeq(head, 30_000))) throw new Error(`the LDB did not reach seq ${head}`);
      printSummary({ dataDir, state, executive, reflector, loaded, ctldbPath, ldbPath, reader });
    } finally {
      reader.close();
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  if (exitWhenReady) {
    await closeAll();
    return;
  }
  const { loader } = loaded;
  const publisher = loaderStatus;
  group.add(
    service(
      'loader',
      () => Promise.resolve(),
      async () => {
        await publisher.stop();
        await loader.stop();
      },
    ),
  );
  console.log('running; Ctrl-C to stop');
  await runUntilSignal(group, log);
}

const optional = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
  value === undefined ? {} : ({ [key]: value } as Record<K, string>);

function printSummary(p: {
  dataDir: string;
  state: State;
  executive: { url: string };
  reflector: { url: string };
  loaded: EmbeddedLoader;
  ctldbPath: string;
  ldbPath: string;
  reader: LdbReader;
}): void {
  console.log(`cuttle embedded mode, data in ${p.dataDir}`);
  console.log(
    `  executive API  ${p.executive.url}  (admin token ${p.state.adminToken}; OpenAPI at /openapi.json)`,
  );
  console.log(
    `  reflector      ${p.reflector.url}  (/health /ready /metrics; sidecar /v1/${FAMILY}/${TABLE}/rows)`,
  );
  console.log(`  loader         ${p.loaded.statusUrl ?? '-'}  (/health /ready /status /metrics)`);
  console.log(`  ctldb ${p.ctldbPath}`);
  console.log(
    `  LDB   ${p.ldbPath} at seq ${p.reader.lastSeq()}, changelog ${join(p.dataDir, 'changes.ndjson')}`,
  );
  console.log(`sample rows of ${FAMILY}.${TABLE}, read back through the reader library:`);
  for (const row of p.reader.rowsByPrefix(FAMILY, TABLE, [], { limit: 10 })) console.log(`  ${show(row)}`);
  console.log(`Debezium events from ${p.loaded.eventsPath} (append lines to load more):`);
  for (const { family, table } of p.loaded.targets) {
    console.log(`  ${family}.${table}:`);
    for (const row of p.reader.rowsByPrefix(family, table, [], { limit: 10 }))
      console.log(`    ${show(row)}`);
  }
}

async function ledgerHead(ctldb: Ctldb): Promise<number> {
  const [row] = await ctldb.all('SELECT MAX(seq) AS seq FROM cuttle_ledger');
  return Number(row?.seq ?? 0);
}

/** Runs the embedded mode and exits the process: what `npm start` and `cuttle embedded` do. */
export async function embeddedMain(argv: readonly string[]): Promise<never> {
  try {
    await runEmbedded(argv);
    // A clean stop may leave a timer or socket of a dependency behind; the mode is over.
    process.exit(process.exitCode ?? 0);
  } catch (err) {
    console.error(`embedded mode failed: ${ensureError(err).message}`);
    process.exit(1);
  }
}

if (isEntryPoint(import.meta.url)) await embeddedMain(process.argv.slice(2));
