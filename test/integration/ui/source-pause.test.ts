/**
 * The admin page's pause/resume (PUT /sources/:source/state) on the real stack: a source
 * registered with `cuttle sources add` (Debezium connector in Kafka Connect, row in
 * `cuttle.sources`), an executive with EXECUTIVE_CONNECT_URL, and a loader following the
 * registry. Pausing through the executive pauses the connector and the row, and the loader lets
 * the source go; resuming brings both back and the loader applies the next change.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/program.ts';
import { ConnectClient } from '../../../lib/sources/connect-client.ts';
import type { SourceListing } from '../../../services/executive/admin/sources-admin.ts';
import type { Loader } from '../../../services/loader/loader.ts';
import { stackEnv } from '../../support/stack-env.ts';
import { LoaderHarness, eventually } from '../loader/harness.ts';
import { Origin } from '../loader/origin.ts';

const harness = new LoaderHarness();
const origin = new Origin();
const connect = new ConnectClient(stackEnv.connectUrl);
const secretsDir = mkdtempSync(join(tmpdir(), 'cuttle-ui-secrets-'));
let following: Loader;
const name = (): string => harness.prefix;

async function listed(): Promise<SourceListing | undefined> {
  const r = await harness.ex.admin<{ connect: boolean; sources: SourceListing[] }>('GET', '/sources');
  expect(r.body.connect).toBe(true);
  return r.body.sources.find((s) => s.name === name());
}

const setState = (state: string) =>
  harness.ex.admin<{ source: SourceListing }>('PUT', `/sources/${name()}/state`, { state });

beforeAll(async () => {
  writeFileSync(join(secretsDir, 'origin.properties'), 'password = dbz\n');
  await origin.open();
  await harness.open({ connectUrl: stackEnv.connectUrl });
  await origin.exec('CREATE TABLE prices (sku VARCHAR(40) NOT NULL PRIMARY KEY, note TEXT)');
  await origin.exec("INSERT INTO prices VALUES ('a-1', 'first')");
  following = await harness.startRegistryLoader({ sourcesPollMs: 300 });
  const out: string[] = [];
  const code = await runCli(
    [
      ...['--executive', harness.ex.url, '--admin-token', harness.ex.adminToken, '--json'],
      ...['sources', 'add', name(), '--origin', `mysql://debezium@127.0.0.1:3307/${origin.database}`],
      ...['--password', `file:${join(secretsDir, 'origin.properties')}:password`],
      ...['--table', 'prices=shop.prices'],
      ...['--loader-writer', harness.writer.writer, '--loader-secret', harness.writer.secret],
    ],
    { out: (t) => out.push(t), err: (t) => out.push(t) },
  );
  if (code !== 0) throw new Error(`sources add failed: ${out.join('\n')}`);
  await eventually(async () => {
    expect(await harness.rows('shop', 'prices')).toEqual([{ sku: 'a-1', note: 'first' }]);
  }, 120_000);
}, 300_000);

afterAll(async () => {
  await connect.remove(name()).catch(() => undefined);
  await harness.close();
  await origin.close();
  rmSync(secretsDir, { recursive: true, force: true });
});

describe('pause and resume from the admin page', () => {
  it('lists the source with its connector running', async () => {
    await eventually(async () => {
      const source = await listed();
      expect([source?.state, source?.connectorName, source?.connector?.connector.state]).toEqual([
        'active',
        name(),
        'RUNNING',
      ]);
    });
  });

  it('pauses the row and the connector; the loader lets the source go', async () => {
    const r = await setState('paused');
    expect([r.status, r.body.source.state]).toEqual([200, 'paused']);
    await eventually(async () => {
      expect((await connect.status(name()))?.connector.state).toBe('PAUSED');
      expect(following.topics).toEqual([]);
      expect((await listed())?.connector?.connector.state).toBe('PAUSED');
    });
  });

  it('resumes both, and the next change is applied', async () => {
    const r = await setState('active');
    expect([r.status, r.body.source.state]).toEqual([200, 'active']);
    await eventually(async () => {
      expect((await connect.status(name()))?.connector.state).toBe('RUNNING');
      expect(following.topics.length).toBeGreaterThan(0);
    });
    await origin.exec("UPDATE prices SET note = 'after resume' WHERE sku = 'a-1'");
    await eventually(async () => {
      expect(await harness.rows('shop', 'prices')).toEqual([{ sku: 'a-1', note: 'after resume' }]);
    }, 120_000);
  });

  it('refuses an unknown source and a state that is neither active nor paused', async () => {
    const unknown = await harness.ex.admin<{ error: { code: string } }>(
      'PUT',
      '/sources/no-such-source/state',
      {
        state: 'paused',
      },
    );
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'SOURCE_NOT_FOUND']);
    const bad = await harness.ex.admin<{ error: { code: string } }>('PUT', `/sources/${name()}/state`, {
      state: 'stopped',
    });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'BAD_REQUEST']);
  });
});
