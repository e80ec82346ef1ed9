/** `cuttle snapshots list | show | verify | restore` against snapshots a supervisor published. */
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CliContext } from '../../../cli/context.ts';
import { reportError } from '../../../cli/errors.ts';
import { snapshotsCommand } from '../../../cli/snapshots.ts';
import { sleep } from '../../../lib/lifecycle.ts';
import { openLdb } from '../../../lib/reader/ldb-reader.ts';
import { LATEST_MANIFEST_KEY, parseManifest, type Manifest } from '../../../lib/snapshot/manifest.ts';
import { SupervisorTestContext } from './supervisor-context.ts';

let ctx: SupervisorTestContext;
let storeArgs: string[];
let newest: Manifest;

beforeAll(async () => {
  ctx = await SupervisorTestContext.open();
  await ctx.appendBatch(20);
  const app = await ctx.startSupervisor('sup-cli', {
    SUPERVISOR_INTERVAL_MS: '600000',
    SUPERVISOR_EVERY_ENTRIES: '5',
    SUPERVISOR_MIN_GAP_MS: '0',
  });
  await ctx.waitUntil('first snapshot', () => app.supervisor.loop.lastOutcome === 'published');
  await ctx.appendBatch(5); // the entries trigger makes a second snapshot
  while ((await ctx.manifests()).length < 2) await sleep(20);
  newest = parseManifest((await ctx.store.getBytes(LATEST_MANIFEST_KEY)) ?? new Uint8Array(), 'latest');
  const { endpoint, accessKeyId, secretAccessKey } = ctx.s3Settings();
  vi.stubEnv('CUTTLE_S3_ACCESS_KEY_ID', accessKeyId);
  vi.stubEnv('CUTTLE_S3_SECRET_ACCESS_KEY', secretAccessKey);
  storeArgs = ['--store', ctx.storeUrl, '--s3-endpoint', endpoint];
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await ctx.dispose();
});

/** Runs `cuttle [--json] snapshots <args>` in-process, as cli/program.ts does, capturing output. */
async function run(...args: string[]): Promise<{ out: string; err: string; exitCode: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) };
  const program = new Command('cuttle').option('--json').exitOverride();
  const cli = new CliContext(program, io);
  program.addCommand(snapshotsCommand(cli));
  const json = args[0] === '--json' ? ['--json'] : [];
  const rest = json.length > 0 ? args.slice(1) : args;
  let exitCode = 0;
  try {
    await program.parseAsync([...json, 'snapshots', ...storeArgs, ...rest], { from: 'user' });
  } catch (error) {
    exitCode = reportError(error, io, false);
  }
  return { out: out.join('\n'), err: err.join('\n'), exitCode };
}

describe('cuttle snapshots', () => {
  it('lists snapshots newest first and marks latest', async () => {
    const { out, exitCode } = await run('list');
    expect(exitCode).toBe(0);
    const rows = out.split('\n').slice(1);
    expect(rows[0]).toMatch(new RegExp(`^\\*\\s+${newest.seq}\\s`));
    expect(rows[0]).toContain(newest.key);
    expect(rows[1]).toMatch(/^\s+\d+\s/);
    const json = JSON.parse((await run('--json', 'list')).out) as { latest: Manifest; entries: unknown[] };
    expect(json.latest.key).toBe(newest.key);
    expect(json.entries.length).toBe(rows.length);
  });

  it('shows a manifest by latest, seq and key, and says when there is none', async () => {
    expect(JSON.parse((await run('show')).out)).toEqual(newest);
    expect(JSON.parse((await run('show', String(newest.seq))).out)).toEqual(newest);
    expect(JSON.parse((await run('show', newest.key)).out)).toEqual(newest);
    const missing = await run('show', '999999');
    expect(missing.exitCode).toBe(1);
    expect(missing.err).toContain(
      `error SNAPSHOT_NOT_FOUND: no usable snapshot 999999 in ${ctx.store.location}`,
    );
  });

  it('restores a snapshot to a path that the reader library opens, refusing to overwrite without --force', async () => {
    const target = join(ctx.dir, 'restored', 'ldb.db');
    const first = await run('restore', 'latest', target);
    expect(first.out).toBe(`restored seq ${newest.seq} from ${newest.key} to ${target}`);
    const reader = openLdb(target);
    expect(reader.position().seq).toBe(newest.seq);
    expect(reader.rowsByPrefix('snap', 'settings', []).length).toBeGreaterThanOrEqual(20);
    reader.close();
    const again = await run('restore', 'latest', target);
    expect(again).toMatchObject({
      exitCode: 1,
      err: expect.stringContaining('error BAD_REQUEST') as unknown,
    });
    expect((await run('restore', 'latest', target, '--force')).exitCode).toBe(0);
  });

  it('verifies snapshots and fails, naming the problem, when an object is damaged', async () => {
    const good = await run('verify', '--all');
    expect(good.exitCode).toBe(0);
    expect(good.out.split('\n').every((l) => l.startsWith('ok  seq '))).toBe(true);
    const bytes = Buffer.from((await ctx.store.getBytes(newest.key)) ?? new Uint8Array());
    await ctx.store.putBytes(newest.key, bytes.subarray(1));
    const bad = await run('verify');
    expect(bad.exitCode).toBe(1);
    expect(bad.out).toMatch(
      new RegExp(`^FAILED  seq ${newest.seq}  .*SNAPSHOT_INVALID: .*object is \\d+ bytes`),
    );
    expect(bad.err).toContain('error SNAPSHOT_INVALID: 1 of 1 snapshots failed verification');
    expect(existsSync(join(ctx.dir, 'restored', 'ldb.db'))).toBe(true);
  });
});
