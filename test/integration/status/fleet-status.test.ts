/**
 * Issue 16, acceptance: a fleet of real service processes (executive, loader, reflector,
 * supervisor) publishes its status records to the stack's Redis under a private key prefix;
 * `cuttle status --json` lists every one (read from Redis and through the executive's GET /fleet);
 * a reflector killed with SIGKILL is shown as gone within its TTL and the summary turns degraded;
 * a loader stopped with SIGTERM is shown as stopped.
 */
import { Redis } from 'ioredis';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/program.ts';
import { fleetSchema, type Fleet } from '../../../lib/status/fleet.ts';
import { createTestCtldb, type TestCtldb } from '../../support/ctldb.ts';
import { tempDir, type TempDir } from '../../support/ldb.ts';
import { stackEnv } from '../../support/stack-env.ts';
import { ExecutiveProcess } from '../limits/executive-processes.ts';
import { kill, outputOf, spawnReflector, spawnTs } from '../reflector/child-process.ts';

const INTERVAL_MS = 500;
const TTL_MS = 3 * INTERVAL_MS;
const prefix = `cuttle-test:status:${randomBytes(4).toString('hex')}`;

let db: TestCtldb;
let dir: TempDir;
let executive: ExecutiveProcess;
const children: Record<'loader' | 'reflector' | 'supervisor', ChildProcess | undefined> = {
  loader: undefined,
  reflector: undefined,
  supervisor: undefined,
};
const outputs: Promise<string>[] = [];

function status(name: string, extra: Record<string, string> = {}): Record<string, string> {
  const upper = name.toUpperCase();
  return {
    [`${upper}_REDIS_URL`]: stackEnv.redisUrl,
    [`${upper}_STATUS_KEY_PREFIX`]: prefix,
    [`${upper}_STATUS_INTERVAL_MS`]: String(INTERVAL_MS),
    [`${upper}_STATUS_ID`]: `${name}-a`,
    [`${upper}_LOG_LEVEL`]: 'warn',
    ...extra,
  };
}

async function cuttle(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['--executive', executive.url, '--admin-token', executive.adminToken, ...args], {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** `cuttle status` read from Redis, as an SRE on a host without the executive's API would. */
function statusVia(...flags: string[]): Promise<{ code: number; out: string; err: string }> {
  return cuttle('status', ...flags, '--redis-url', stackEnv.redisUrl, '--key-prefix', prefix);
}

async function fleet(via: 'redis' | 'executive' = 'redis'): Promise<Fleet> {
  const args = via === 'redis' ? ['--redis-url', stackEnv.redisUrl, '--key-prefix', prefix] : [];
  const { code, out, err } = await cuttle('--json', 'status', ...args);
  if (code !== 0) throw new Error(`cuttle status exited ${code}: ${err}`);
  return fleetSchema.parse(JSON.parse(out));
}

const states = (f: Fleet): Record<string, string> =>
  Object.fromEntries(f.processes.map((p) => [`${p.record.role}:${p.record.id}`, p.state]));

async function deletePrefix(): Promise<void> {
  const redis = new Redis(stackEnv.redisUrl);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

beforeAll(async () => {
  db = await createTestCtldb('mysql', 'status');
  dir = tempDir('cuttle-status-');
  const ctldbUrl = db.connect.driver === 'mysql' ? db.connect.url : '';
  executive = await ExecutiveProcess.start(
    status('executive', {
      EXECUTIVE_CTLDB_DRIVER: 'mysql',
      EXECUTIVE_CTLDB_URL: ctldbUrl,
      EXECUTIVE_ADMIN_TOKEN: `admin-${randomBytes(8).toString('hex')}`,
      EXECUTIVE_AUTH_KEY_PREFIX: `${prefix}:auth`,
    }),
  );
  // One ledger entry, so that the followers have something to be caught up with.
  expect((await cuttle('families', 'create', 'fleetcheck')).code).toBe(0);
  expect((await cuttle('tables', 'create', 'fleetcheck', 'rows', '-f', 'id:integer', '-k', 'id')).code).toBe(
    0,
  );
  writeFileSync(dir.file('sources.json'), '[]');
  children.loader = spawnTs(
    'services/loader/main.ts',
    [],
    status('loader', {
      LOADER_SECRET: 'unused',
      LOADER_EXECUTIVE_URL: executive.url,
      LOADER_SOURCES_FILE: dir.file('sources.json'),
      LOADER_DEAD_LETTER_PREFIX: `${prefix}:bull`,
      LOADER_HTTP_PORT: '0',
    }),
  );
  children.reflector = spawnReflector(
    status('reflector', { REFLECTOR_CTLDB: ctldbUrl, REFLECTOR_LDB_PATH: dir.file('reflector.db') }),
  );
  children.supervisor = spawnTs(
    'services/supervisor/main.ts',
    [],
    status('supervisor', {
      SUPERVISOR_CTLDB: ctldbUrl,
      SUPERVISOR_SNAPSHOT_URL: pathToFileURL(dir.file('snapshots')).href,
      SUPERVISOR_LDB_PATH: dir.file('supervisor/ldb.db'),
      SUPERVISOR_SLOT_KEY_PREFIX: `${prefix}:snapshot`,
      SUPERVISOR_INTERVAL_MS: '600000',
      SUPERVISOR_PORT: '0',
    }),
  );
  for (const child of Object.values(children)) if (child !== undefined) outputs.push(outputOf(child));
});

afterAll(async () => {
  for (const child of Object.values(children)) if (child !== undefined) await kill(child, 'SIGTERM');
  await executive?.stop();
  await deletePrefix();
  await db?.close();
  dir?.remove();
});

describe('cuttle status over a fleet of real processes', () => {
  it('lists every process, live and ready, with a healthy summary, from Redis and from GET /fleet', async () => {
    const all = {
      'executive:executive-a': 'live',
      'loader:loader-a': 'live',
      'reflector:reflector-a': 'live',
      'supervisor:supervisor-a': 'live',
    };
    await expect.poll(async () => states(await fleet()), { timeout: 60_000, interval: 500 }).toEqual(all);
    await expect
      .poll(async () => (await fleet()).summary, { timeout: 30_000, interval: 500 })
      .toEqual({ status: 'healthy', reasons: [] });
    const viaRedis = await fleet();
    expect(states(viaRedis)).toEqual(all);
    const byRole = Object.fromEntries(viaRedis.processes.map((p) => [p.record.role, p.record]));
    expect(byRole.executive).toMatchObject({ ready: true, ttlMs: TTL_MS, version: '0.1.0' });
    // With a Redis URL the limits are enforced through Redis unless EXECUTIVE_LIMITS_MODE says otherwise.
    expect(byRole.executive?.figures).toMatchObject({ limiterMode: 'redis', url: executive.url });
    expect(byRole.reflector?.figures).toMatchObject({
      state: 'following',
      ldbSeq: 1,
      ledgerHead: 1,
      lagEntries: 0,
    });
    expect(byRole.supervisor?.figures).toMatchObject({ ldbSeq: 1, intervalMs: 600_000 });
    expect(byRole.loader?.figures).toEqual({ partitions: [], deadLetters: 0 });
    expect(byRole.reflector?.pid).toBe(children.reflector?.pid);

    const viaExecutive = await fleet('executive');
    expect(states(viaExecutive)).toEqual(states(viaRedis));

    const human = await statusVia();
    expect(human.out.split('\n')[0]).toBe('fleet: healthy');
    expect(human.out).toMatch(/^reflector-a\s+live\s+yes\s/m);
    const verdict = await statusVia('--exit-status');
    expect(verdict.code).toBe(0);
  });

  it('shows a reflector killed with SIGKILL as gone within its TTL, and the summary degraded', async () => {
    const reflector = children.reflector;
    if (reflector === undefined) throw new Error('no reflector');
    await kill(reflector, 'SIGKILL');
    const killedAt = Date.now();
    await expect
      .poll(async () => states(await fleet())['reflector:reflector-a'], { timeout: 10_000, interval: 100 })
      .toBe('gone');
    const elapsed = Date.now() - killedAt;
    // The record lapses TTL_MS after its last write, at most one interval before the kill.
    expect(elapsed).toBeLessThanOrEqual(TTL_MS + 1000);
    const after = await fleet();
    expect(after.summary.status).toBe('degraded');
    expect(after.summary.reasons).toContain('no live reflector');
    expect(after.summary.reasons.some((r) => r.startsWith('reflector reflector-a gone'))).toBe(true);
    expect(states(await fleet('executive'))['reflector:reflector-a']).toBe('gone');
    const human = await statusVia();
    expect(human.out.split('\n')[0]).toMatch(
      /^fleet: degraded: no live reflector; reflector reflector-a gone/,
    );
    expect(human.code).toBe(0);
    const verdict = await statusVia('--exit-status');
    expect(verdict.code).toBe(3);
  });

  it('shows a loader stopped with SIGTERM as stopped, not gone', async () => {
    const loader = children.loader;
    if (loader === undefined) throw new Error('no loader');
    await kill(loader, 'SIGTERM');
    const after = await fleet();
    expect(states(after)['loader:loader-a']).toBe('stopped');
    expect(after.summary.reasons).toContain('no live loader');
    expect(after.summary.reasons.some((r) => r.startsWith('loader loader-a gone'))).toBe(false);
  });
});
