/**
 * `npm run bench -- startup [--runs 7] [--no-build]`: how long cuttle takes to start, from the
 * compiled build (dist/, what the package's `cuttle` bin runs) and from the TypeScript sources
 * through tsx (development), side by side.
 *
 * - `cuttle --help`: process start to exit.
 * - each service: process start to its readiness endpoint answering 200, on SQLite and a folder
 *   snapshot store (the loader reads the embedded sample's events file), so no external service
 *   is measured.
 * - baseline: `node -e 0`, the floor every figure includes.
 *
 * Runs are interleaved (dist, tsx, dist, …) so that machine noise hits both alike; medians are
 * printed with the dist/tsx ratio, and the last line is one JSON object.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from '../lib/config.ts';
import { sourceConfigSchema } from '../services/loader/mapping/source-config.ts';
import { SourceMapper } from '../services/loader/mapping/source-mapper.ts';
import { ExecutiveAdmin } from '../services/loader/sources/executive-admin.ts';
import { ensureTables } from '../services/loader/sources/registration.ts';
import { median } from './_latency.ts';

const flags = parseFlags(process.argv.slice(2));
const runs = Number(flags.get('--runs') ?? 7);
const ADMIN = 'startup-bench-admin';
const work = mkdtempSync(join(tmpdir(), 'cuttle-startup-'));
const SAMPLE_SOURCES = 'cli/embedded-sample/sources.json';
const SAMPLE_EVENTS = 'cli/embedded-sample/debezium-events.ndjson';

type Build = 'dist' | 'tsx';
const SERVICE_SOURCES = {
  executive: 'services/executive/main.ts',
  reflector: 'services/reflector/main.ts',
  loader: 'services/loader/main.ts',
  supervisor: 'services/supervisor/main.ts',
} as const;
type ServiceName = keyof typeof SERVICE_SOURCES;

function command(build: Build, what: 'cli' | ServiceName): string[] {
  if (build === 'dist') return what === 'cli' ? ['dist/cli/main.js'] : ['dist/cli/main.js', what];
  return ['--import', 'tsx', what === 'cli' ? 'cli/main.ts' : SERVICE_SOURCES[what]];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Milliseconds from spawning `node args` to its exit. */
function timeExit(args: readonly string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.on('exit', (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`${args.join(' ')}: ${code}`)),
    );
  });
}

/** Milliseconds from spawning `node args` to `readyUrl` answering 200; the process is then stopped. */
async function timeReady(
  args: readonly string[],
  env: Record<string, string>,
  readyUrl: string,
): Promise<number> {
  const started = performance.now();
  let output = '';
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited: ${output}`);
      const ok = await fetch(readyUrl).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return performance.now() - started;
      if (performance.now() - started > 60_000)
        throw new Error(`${args.join(' ')} not ready in 60 s: ${output}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

interface Fixture {
  readonly ctldbPath: string;
  readonly executiveUrl: string;
  readonly loaderSecret: string;
  stop(): Promise<void>;
}

/** A SQLite ctldb with the embedded sample's tables and a loader writer, served by a dist executive. */
async function fixture(): Promise<Fixture> {
  const ctldbPath = join(work, 'ctldb.sqlite');
  const port = await freePort();
  const executiveUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...command('dist', 'executive'), '--port', String(port)], {
    env: { ...process.env, ...executiveEnv(ctldbPath) },
    stdio: 'ignore',
  });
  for (
    let i = 0;
    !(await fetch(`${executiveUrl}/readyz`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  ) {
    if (i > 6000) throw new Error('the fixture executive did not start');
    await new Promise((r) => setTimeout(r, 10));
  }
  const admin = new ExecutiveAdmin(executiveUrl, { adminToken: ADMIN });
  // The embedded sample: its tables, so that the loader measured loads its events and is ready.
  const sources = (JSON.parse(readFileSync(SAMPLE_SOURCES, 'utf8')) as unknown[]).map((s) =>
    sourceConfigSchema.parse(s),
  );
  await ensureTables(
    admin,
    sources.flatMap((s) => new SourceMapper(s).tables.map((t) => t.schema)),
  );
  const loaderSecret = 'startup-bench-loader-secret';
  const families = [...new Set(sources.flatMap((s) => s.tables.map((t) => t.target.family)))];
  await admin.registerWriter('bench-loader', loaderSecret, { families });
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
  };
  return { ctldbPath, executiveUrl, loaderSecret, stop };
}

function executiveEnv(ctldbPath: string): Record<string, string> {
  return {
    EXECUTIVE_CTLDB_DRIVER: 'sqlite',
    EXECUTIVE_CTLDB_PATH: ctldbPath,
    EXECUTIVE_ADMIN_TOKEN: ADMIN,
    EXECUTIVE_LIMITS_MODE: 'local',
    EXECUTIVE_LOG_LEVEL: 'warn',
  };
}

async function serviceRun(build: Build, name: ServiceName, f: Fixture, run: number): Promise<number> {
  const port = await freePort();
  const dir = join(work, `${name}-${build}-${run}`);
  const env: Record<string, string> = (() => {
    switch (name) {
      case 'executive':
        return { ...executiveEnv(join(dir, 'ctldb.sqlite')), EXECUTIVE_PORT: String(port) };
      case 'reflector':
        return {
          REFLECTOR_CTLDB: `sqlite:${f.ctldbPath}`,
          REFLECTOR_LDB_PATH: join(dir, 'ldb.db'),
          REFLECTOR_PORT: String(port),
          REFLECTOR_LOG_LEVEL: 'warn',
        };
      case 'supervisor':
        return {
          SUPERVISOR_CTLDB: `sqlite:${f.ctldbPath}`,
          SUPERVISOR_SNAPSHOT_URL: join(dir, 'snapshots'),
          SUPERVISOR_LDB_PATH: join(dir, 'ldb.db'),
          SUPERVISOR_WORK_DIR: join(dir, 'work'),
          SUPERVISOR_PORT: String(port),
          SUPERVISOR_LOG_LEVEL: 'warn',
        };
      case 'loader':
        return {
          LOADER_EXECUTIVE_URL: f.executiveUrl,
          LOADER_WRITER: 'bench-loader',
          LOADER_SECRET: f.loaderSecret,
          LOADER_SOURCES_FILE: SAMPLE_SOURCES,
          LOADER_EVENTS_FILE: SAMPLE_EVENTS,
          LOADER_HTTP_PORT: String(port),
          LOADER_LOG_LEVEL: 'warn',
        };
    }
  })();
  const readyPath = name === 'executive' ? '/readyz' : '/ready';
  return timeReady(command(build, name), env, `http://127.0.0.1:${port}${readyPath}`);
}

async function main(): Promise<void> {
  if (flags.get('--no-build') !== 'true') execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
  const samples = new Map<string, number[]>();
  const add = (key: string, ms: number) => samples.set(key, [...(samples.get(key) ?? []), ms]);
  const f = await fixture();
  try {
    for (let run = 0; run < runs; run++) {
      add('node -e 0', await timeExit(['-e', '0']));
      for (const build of ['dist', 'tsx'] as const) {
        add(`cuttle --help/${build}`, await timeExit([...command(build, 'cli'), '--help']));
        for (const name of Object.keys(SERVICE_SOURCES) as ServiceName[])
          add(`${name} ready/${build}`, await serviceRun(build, name, f, run));
      }
    }
  } finally {
    await f.stop();
    rmSync(work, { recursive: true, force: true });
  }
  report(samples);
}

function report(samples: Map<string, number[]>): void {
  const med = (key: string) => Math.round(median(samples.get(key) ?? []));
  const rows = ['cuttle --help', ...Object.keys(SERVICE_SOURCES).map((n) => `${n} ready`)].map((what) => ({
    what,
    distMs: med(`${what}/dist`),
    tsxMs: med(`${what}/tsx`),
  }));
  const baseline = med('node -e 0');
  console.log(`startup, median of ${runs} interleaved runs (ms); baseline node -e 0: ${baseline} ms`);
  console.log('what'.padEnd(18) + 'dist'.padStart(8) + 'tsx'.padStart(8) + 'dist/tsx'.padStart(10));
  for (const r of rows)
    console.log(
      r.what.padEnd(18) +
        String(r.distMs).padStart(8) +
        String(r.tsxMs).padStart(8) +
        (r.distMs / r.tsxMs).toFixed(2).padStart(10),
    );
  console.log(JSON.stringify({ bench: 'startup', runs, baselineNodeMs: baseline, rows }));
}

await main();
