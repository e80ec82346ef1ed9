/**
 * cuttle as a user installs it: `npm pack`, then `npm install ./cuttle-*.tgz` into an empty
 * folder. The installed `cuttle` runs the compiled dist/ (no tsx is installed), runs a service,
 * and the reader library imports as `cuttle/reader`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ADMIN = 'pack-test-admin-token';

let folder: string;
let app: string;
let cuttleBin: string;
const children: ChildProcess[] = [];

/** Starts `cuttle <args>` in the installed folder; resolves with the URL its log says it listens at. */
async function startService(args: readonly string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(cuttleBin, args, { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, 'exit').then(() => {
    throw new Error(`cuttle ${args.join(' ')} exited before listening: ${stderr}`);
  });
  const listening = (async () => {
    for await (const line of lines) {
      const url = (JSON.parse(line) as { url?: unknown }).url;
      if (typeof url === 'string' && url.startsWith('http')) return url;
    }
    throw new Error(`cuttle ${args.join(' ')} never logged its URL: ${stderr}`);
  })();
  return { child, url: await Promise.race([listening, exited]) };
}

/** Registers a writer and upserts one row through the HTTP API; returns the ledger seq. */
async function upsertOneRow(executiveUrl: string): Promise<number> {
  const post = (path: string, body: unknown, headers: Record<string, string>) =>
    fetch(new URL(path, executiveUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const admin = { authorization: `Bearer ${ADMIN}` };
  expect(
    (await post('/writers/packer', { secret: 'packer-secret-1', families: ['packed'] }, admin)).status,
  ).toBe(201);
  const writer = { 'x-cuttle-writer': 'packer', 'x-cuttle-secret': 'packer-secret-1' };
  const mutation = { table: 'flags', values: { id: '9007199254740993', name: 'packed 🐙' } };
  const response = await post('/families/packed/mutations', { mutations: [mutation] }, writer);
  const body = (await response.json()) as { lastSeq: number };
  expect(response.status).toBe(200);
  return body.lastSeq;
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'cuttle-pack-'));
  app = join(folder, 'app');
  await mkdir(app);
  await run('npm', ['pack', '--pack-destination', folder], { maxBuffer: 64 * 1024 * 1024 });
  const tarball = readdirSync(folder).find((f) => /^cuttle-.*\.tgz$/.test(f));
  if (tarball === undefined) throw new Error(`npm pack left no tarball in ${folder}`);
  await writeFile(join(app, 'package.json'), '{ "private": true }\n');
  // --prefer-offline: the packages npm ci just fetched are in npm's cache.
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(folder, tarball)], {
    cwd: app,
    maxBuffer: 64 * 1024 * 1024,
  });
  cuttleBin = join(app, 'node_modules', '.bin', 'cuttle');
}, 600_000);

afterAll(async () => {
  await Promise.all(children.filter((c) => c.exitCode === null).map((c) => stop(c)));
  await rm(folder, { recursive: true, force: true });
});

describe('the packed cuttle, installed into an empty folder', () => {
  it('ships compiled JavaScript and no TypeScript runner', () => {
    const installed = join(app, 'node_modules', 'cuttle');
    expect(existsSync(join(installed, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(app, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(join(installed, 'services'))).toBe(false);
  });

  it('gives a working cuttle command', async () => {
    const { stdout } = await run(cuttleBin, ['--help'], { cwd: app });
    for (const command of [
      'families',
      'limits',
      'sources',
      'snapshots',
      'executive',
      'reflector',
      'loader',
      'supervisor',
    ])
      expect(stdout).toContain(command);
    const { stdout: options } = await run(cuttleBin, ['loader', '--help'], { cwd: app });
    expect(options).toContain('LOADER_BROKERS');
  });

  it('runs the executive and a reflector on SQLite, and reads their LDB through cuttle/reader', async () => {
    const data = join(folder, 'data');
    await mkdir(data);
    const ctldb = join(data, 'ctldb.sqlite');
    const ldb = join(data, 'ldb.db');
    const executive = await startService([
      'executive',
      ...['--ctldb-driver', 'sqlite', '--ctldb-path', ctldb, '--port', '0'],
      ...['--admin-token', ADMIN, '--limits-mode', 'local', '--heartbeat-interval-ms', '0'],
    ]);
    expect((await fetch(new URL('/readyz', executive.url))).status).toBe(200);

    const admin = ['--executive', executive.url, '--admin-token', ADMIN, '--json'];
    await run(cuttleBin, [...admin, 'families', 'create', 'packed'], { cwd: app });
    const created = await run(
      cuttleBin,
      [...admin, 'tables', 'create', 'packed', 'flags', '-f', 'id:integer', 'name:text', '-k', 'id'],
      { cwd: app },
    );
    expect(JSON.parse(created.stdout)).toHaveProperty('seq');
    const seq = await upsertOneRow(executive.url);

    const reflector = await startService([
      'reflector',
      ...['--ctldb', `sqlite:${ctldb}`, '--ldb-path', ldb, '--port', '0', '--poll-interval-ms', '50'],
    ]);
    const reader = `
      import { openLdb } from 'cuttle/reader';
      const ldb = openLdb(${JSON.stringify(ldb)});
      if (!(await ldb.waitForSeq(${seq}, 20000))) throw new Error('the LDB never reached seq ${seq}');
      const row = ldb.getRow('packed', 'flags', [9007199254740993n]);
      console.log(JSON.stringify({ id: String(row.id), name: row.name }));
      ldb.close();`;
    const read = await run(process.execPath, ['--input-type=module', '-e', reader], { cwd: app });
    expect(JSON.parse(read.stdout)).toEqual({ id: '9007199254740993', name: 'packed 🐙' });

    expect(await stop(reflector.child)).toBe(0);
    expect(await stop(executive.child)).toBe(0);
  });

  it('runs the embedded mode from the package, sample events included', async () => {
    const { stdout } = await run(
      cuttleBin,
      ['embedded', '--exit-when-ready', '--data-dir', join(folder, 'embedded')].concat([
        '--port',
        '0',
        '--reflector-port',
        '0',
        '--loader-port',
        '0',
      ]),
      { cwd: app, timeout: 120_000 },
    );
    expect(stdout).toContain('cuttle embedded mode');
    expect(stdout).toMatch(/tenant=.*flag="dark_mode"/);
  });
});
