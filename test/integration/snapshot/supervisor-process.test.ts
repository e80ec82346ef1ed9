/**
 * The supervisor as operators run it: `services/supervisor/main.ts` in its own process, ready once
 * caught up, a snapshot published, and a clean exit on SIGTERM; and a stop during a snapshot
 * abandons it instead of waiting for it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../lib/lifecycle.ts';
import { SupervisorTestContext } from './supervisor-context.ts';

let ctx: SupervisorTestContext;
afterEach(async () => {
  await ctx.dispose();
});

async function waitForHttp(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(url).catch(() => undefined);
    if (response?.status === 200) return response;
    if (Date.now() > deadline) throw new Error(`${url} never answered 200`);
    await sleep(100);
  }
}

describe('supervisor process', () => {
  it('starts from SUPERVISOR_* settings, publishes, and exits 0 on SIGTERM', async () => {
    ctx = await SupervisorTestContext.open();
    await ctx.appendBatch(30);
    const { endpoint, accessKeyId, secretAccessKey } = ctx.s3Settings();
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'services/supervisor/main.ts', '--port', String(port)],
      {
        env: {
          ...process.env,
          SUPERVISOR_CTLDB: ctx.ledger.address,
          SUPERVISOR_SNAPSHOT_URL: ctx.storeUrl,
          SUPERVISOR_S3_ENDPOINT: endpoint,
          SUPERVISOR_S3_ACCESS_KEY_ID: accessKeyId,
          SUPERVISOR_S3_SECRET_ACCESS_KEY: secretAccessKey,
          SUPERVISOR_LDB_PATH: join(ctx.dir, 'process', 'ldb.db'),
          SUPERVISOR_POLL_INTERVAL_MS: '50',
          SUPERVISOR_LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit');
    try {
      const ready = await waitForHttp(`http://127.0.0.1:${port}/ready`, 30_000);
      expect(await ready.json()).toMatchObject({ ready: true, seq: 31 });
      while ((await ctx.manifests()).length === 0) await sleep(100);
      expect((await ctx.manifests())[0]).toMatchObject({
        seq: 31,
        trigger: expect.stringMatching(/^interval:300000:/) as unknown,
      });
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await exited) as [number | null];
    // The AWS SDK warns once that it will need Node 22 from 2027 (docs/real-stack.md); nothing else.
    const unexpected = stderr.replace(
      /\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?show where the warning was created\)\n/,
      '',
    );
    expect({ code, stderr: unexpected }).toEqual({ code: 0, stderr: '' });
  });

  it('abandons a snapshot in progress when stopped', async () => {
    ctx = await SupervisorTestContext.open();
    for (let i = 0; i < 100; i++) await ctx.appendBatch(100, 4000); // ~40 MB: a copy takes a while
    const app = await ctx.startSupervisor('sup-stop', { SUPERVISOR_INTERVAL_MS: '600000' });
    await ctx.waitUntil('making', () => app.supervisor.loop.making, 60_000);
    const stopping = performance.now();
    await app.close();
    const stopMs = performance.now() - stopping;
    expect(app.supervisor.loop.lastOutcome).toBe('aborted');
    expect(await ctx.manifests()).toEqual([]);
    console.log(`stopped during a snapshot in ${stopMs.toFixed(0)} ms`);
  });
});
