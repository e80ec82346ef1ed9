/**
 * `cuttle sources …` on the real stack: `add` reads the origin's schema, refuses what it cannot
 * map (listing every column), creates the cuttle table, the Debezium connector and the registry
 * row; a loader following the registry (no sources file, no restart) loads the new source;
 * `pause`, `resume`, `list`, `show` and `remove` do what they say. The origin password is a
 * file reference that Kafka Connect's FileConfigProvider resolves: Connect never stores the value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../cli/context.ts';
import { runCli } from '../../../cli/program.ts';
import { ConnectClient } from '../../../lib/sources/connect-client.ts';
import { stackEnv } from '../../support/stack-env.ts';
import { LoaderHarness, eventually } from './harness.ts';
import { Origin } from './origin.ts';

const harness = new LoaderHarness();
const origin = new Origin();
const connect = new ConnectClient(stackEnv.connectUrl);
const secretsDir = mkdtempSync(join(tmpdir(), 'cuttle-sources-secrets-'));
const passwordRef = `file:${join(secretsDir, 'origin.properties')}:password`;

async function cuttle(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const code = await runCli(
    ['--executive', harness.ex.url, '--admin-token', harness.ex.adminToken, '--json', ...args],
    io,
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('cuttle sources', () => {
  const name = (): string => harness.prefix;

  beforeAll(async () => {
    writeFileSync(join(secretsDir, 'origin.properties'), '# the origin debezium user\npassword = dbz\n');
    await origin.open();
    await harness.open();
    await origin.exec(
      'CREATE TABLE prices (sku VARCHAR(40) NOT NULL PRIMARY KEY, `Amount` DECIMAL(12,4), note TEXT, secret VARCHAR(20))',
    );
    await origin.exec(
      'CREATE TABLE shapes (id INT PRIMARY KEY, area POINT, outline POLYGON, label VARCHAR(10))',
    );
    await origin.exec(
      "INSERT INTO prices VALUES ('a-1', 1.5000, 'first', 'x'), ('b-2', 99999999.9999, NULL, 'y')",
    );
    // No primary key: registered with --key.
    await origin.exec('CREATE TABLE log_lines (host VARCHAR(20) NOT NULL, seq INT NOT NULL, msg TEXT)');
    await origin.exec("INSERT INTO log_lines VALUES ('h1', 1, 'boot'), ('h1', 2, 'ready')");
    // A name no Kafka topic (nor an unescaped include-list regex) can carry.
    await origin.exec('CREATE TABLE `price$list` (id INT PRIMARY KEY)');
    // A key column no cuttle key can hold: excluding it cannot help, another key can. (Not an
    // INET6 key: Debezium 3.2's DDL parser fails on INET6, and with it every connector that reads
    // this database's schema.)
    await origin.exec('CREATE TABLE devices (addr DECIMAL(10,2) PRIMARY KEY, name VARCHAR(10) NOT NULL)');
  });

  afterAll(async () => {
    await connect.remove(name());
    await harness.close();
    await origin.close();
    rmSync(secretsDir, { recursive: true, force: true });
  });

  it('refuses a plain password and an unresolvable reference before touching anything', async () => {
    const add = (originUrl: string, password: string) =>
      cuttle(
        'sources',
        'add',
        `${name()}p`,
        '--origin',
        originUrl,
        '--password',
        password,
        '--table',
        'prices',
        '--family',
        'shop',
      );
    const inUrl = await add(`mysql://debezium:dbz@127.0.0.1:3307/${origin.database}`, passwordRef);
    expect(inUrl.code).toBe(1);
    expect(JSON.parse(inUrl.err)).toMatchObject({ error: { code: 'INVALID_SECRET_REF' } });
    const plain = await add(`mysql://debezium@127.0.0.1:3307/${origin.database}`, 'dbz');
    expect(JSON.parse(plain.err)).toMatchObject({ error: { code: 'INVALID_SECRET_REF' } });
    const missingKey = await add(
      `mysql://debezium@127.0.0.1:3307/${origin.database}`,
      `file:${join(secretsDir, 'origin.properties')}:pw`,
    );
    expect(JSON.parse(missingKey.err)).toMatchObject({
      error: { code: 'SECRET_UNRESOLVED', message: expect.stringContaining('has no key pw') },
    });
    expect(await connect.status(`${name()}p`)).toBeNull();
    expect(await harness.ex.admin('GET', '/families/shop/tables/prices')).toMatchObject({ status: 404 });
  });

  it('refuses a table with columns it cannot map, naming each one, and creates nothing', async () => {
    const result = await cuttle(
      'sources',
      'add',
      `${name()}x`,
      '--origin',
      `mysql://debezium@127.0.0.1:3307/${origin.database}`,
      '--password',
      passwordRef,
      '--table',
      'shapes',
      '--family',
      'geo',
    );
    expect(result.code).toBe(1);
    const error = JSON.parse(result.err) as { error: { code: string; details: { problems: string[] } } };
    expect(error.error.code).toBe('INVALID_FIELD_TYPE');
    expect(error.error.details.problems).toEqual([
      expect.stringMatching(/shapes\.area \(point\) cannot be mapped: spatial types/),
      expect.stringMatching(/shapes\.outline \(polygon\) cannot be mapped: spatial types/),
    ]);
    expect(await connect.status(`${name()}x`)).toBeNull();
  });

  it('--dry-run prints the whole plan and every problem of every table in one run', async () => {
    const dryRun = (...more: string[]) =>
      cuttle(
        'sources',
        'add',
        `${name()}d`,
        '--origin',
        `mysql://debezium@127.0.0.1:3307/${origin.database}`,
        '--password',
        passwordRef,
        '--family',
        'dry',
        '--dry-run',
        ...more,
      );
    const first = await dryRun(
      '--table',
      'log_lines',
      '--table',
      'shapes',
      '--table',
      'price$list',
      '--table',
      'devices',
    );
    expect(first.code).toBe(1);
    const plan = JSON.parse(first.out) as {
      tables: {
        source: string;
        keyColumns: string[];
        columns: { column: string; status: string; fieldType?: string }[];
      }[];
      refusals: { code: string; table: string; message: string }[];
    };
    expect(plan.tables.map((t) => t.source)).toEqual(
      ['log_lines', 'shapes', 'price$list', 'devices'].map((t) => `${origin.database}.${t}`),
    );
    expect(plan.tables[1]?.columns).toEqual([
      { column: 'id', type: 'int(11)', key: true, status: 'mapped', field: 'id', fieldType: 'integer' },
      { column: 'area', type: 'point', key: false, status: 'refused' },
      { column: 'outline', type: 'polygon', key: false, status: 'refused' },
      {
        column: 'label',
        type: 'varchar(10)',
        key: false,
        status: 'mapped',
        field: 'label',
        fieldType: 'string',
      },
    ]);
    expect(plan.refusals.map((r) => [r.code, r.message])).toEqual([
      ['INVALID_KEY', expect.stringMatching(/log_lines has no primary key; .*--key log_lines=<col>,<col>/)],
      ['INVALID_FIELD_TYPE', expect.stringMatching(/shapes\.area \(point\) cannot be mapped: spatial/)],
      ['INVALID_FIELD_TYPE', expect.stringMatching(/shapes\.outline \(polygon\) cannot be mapped: spatial/)],
      [
        'INVALID_NAME',
        expect.stringMatching(/price\$list: table name "price\$list" holds "\$": Kafka topic names/),
      ],
      // The cuttle table it maps to by default is no valid name either (--table price$list=<family>.<name>).
      ['INVALID_NAME', expect.stringMatching(/table name "price\$list" must start with a lower-case letter/)],
      [
        'INVALID_FIELD_TYPE',
        expect.stringMatching(
          /devices\.addr \(decimal\(10,2\)\) cannot be mapped: it is a key column, and a decimal field cannot be part of a cuttle key; a key column cannot be excluded, so name other key columns .*--key devices=/,
        ),
      ],
    ]);
    expect(
      plan.refusals.some((r) => /exclude the column/.test(r.message) && r.table.endsWith('devices')),
    ).toBe(false);
    // The error names every refusal too; nothing was created.
    expect(JSON.parse(first.err)).toMatchObject({
      error: { code: 'SOURCE_REFUSED', details: { problems: plan.refusals.map((r) => r.message) } },
    });
    expect(await connect.status(`${name()}d`)).toBeNull();
    expect(await harness.ex.admin('GET', '/families/dry/tables/shapes')).toMatchObject({ status: 404 });

    // The hints applied, in one more run: a clean plan.
    const second = await dryRun(
      '--table',
      'log_lines',
      '--key',
      'log_lines=host,seq',
      '--table',
      'shapes',
      '--exclude',
      'shapes.area',
      '--exclude',
      'shapes:outline',
      '--table',
      'devices',
      '--key',
      'devices=name',
      '--exclude',
      'devices.addr',
    );
    expect(second.code, second.err).toBe(0);
    const clean = JSON.parse(second.out) as typeof plan;
    expect(clean.refusals).toEqual([]);
    expect(clean.tables.map((t) => t.keyColumns)).toEqual([['host', 'seq'], ['id'], ['name']]);
    expect(clean.tables[1]?.columns.map((c) => c.status)).toEqual([
      'mapped',
      'excluded',
      'excluded',
      'mapped',
    ]);
  });

  it('registers a writer of its own for the source, scoped to its family only', async () => {
    const added = await cuttle(
      'sources',
      'add',
      `${name()}w`,
      '--origin',
      `mysql://debezium@127.0.0.1:3307/${origin.database}`,
      '--password',
      passwordRef,
      '--table',
      'prices=own.prices',
      '--exclude',
      'prices:secret',
    );
    expect(added.err).toBe('');
    const result = JSON.parse(added.out) as { writer: string; loaderSecret?: string };
    expect(result.writer).toBe(`source.${name()}w`);
    expect(result.loaderSecret).toEqual(expect.any(String));
    const listed = (await harness.ex.admin('GET', '/writers')).body as {
      writers: { name: string; scope: unknown }[];
    };
    expect(listed.writers.find((w) => w.name === result.writer)?.scope).toEqual({ families: ['own'] });
    // Removing the source removes its writer: its secret can no longer write the family.
    const removed = await cuttle('sources', 'remove', `${name()}w`);
    expect(JSON.parse(removed.out)).toEqual({ removed: `${name()}w`, writerRemoved: result.writer });
    const after = (await harness.ex.admin('GET', '/writers')).body as { writers: { name: string }[] };
    expect(after.writers.map((w) => w.name)).not.toContain(result.writer);
    const refused = await harness.ex.mutate<{ error: { code: string } }>(
      { writer: result.writer, secret: result.loaderSecret ?? '' },
      'own',
      { mutations: [{ table: 'prices', values: { sku: 'x' } }] },
    );
    expect([refused.status, refused.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('adds a source that a loader following the registry picks up without a restart', async () => {
    const following = await harness.startRegistryLoader({ sourcesPollMs: 300 });
    expect(following.topics).toEqual([]);
    const added = await cuttle(
      'sources',
      'add',
      name(),
      '--origin',
      `mysql://debezium@127.0.0.1:3307/${origin.database}`,
      '--password',
      passwordRef,
      '--table',
      'prices=shop.prices',
      '--exclude',
      'prices:secret',
      '--rename',
      'prices:Amount=amount',
      '--table',
      'log_lines=shop.log_lines',
      '--key',
      'log_lines=host,seq',
      '--loader-writer',
      harness.writer.writer,
      '--loader-secret',
      harness.writer.secret,
    );
    expect(added.err).toBe('');
    expect(JSON.parse(added.out)).toMatchObject({
      tablesCreated: ['shop.prices', 'shop.log_lines'],
      warnings: [],
    });
    expect(await harness.ex.admin('GET', '/families/shop/tables/prices')).toMatchObject({
      body: {
        fields: [
          { name: 'sku', type: 'string' },
          { name: 'amount', type: 'decimal' },
          { name: 'note', type: 'text' },
        ],
        keyFields: ['sku'],
      },
    });
    await origin.exec("INSERT INTO prices VALUES ('c-3', -0.0001, 'streamed', 'z')");
    await eventually(async () => {
      expect(await harness.rows('shop', 'prices')).toEqual([
        { sku: 'a-1', amount: '1.5', note: 'first' },
        { sku: 'b-2', amount: '99999999.9999', note: null },
        { sku: 'c-3', amount: '-0.0001', note: 'streamed' },
      ]);
    }, 120_000);
    // The PK-less table, keyed by the --key columns (Debezium's message.key.columns): deletes too.
    await origin.exec("INSERT INTO log_lines VALUES ('h2', 1, 'other host')");
    await origin.exec("DELETE FROM log_lines WHERE host = 'h1' AND seq = 1");
    await eventually(async () => {
      expect(await harness.rows('shop', 'log_lines')).toEqual([
        { host: 'h1', seq: 2, msg: 'ready' },
        { host: 'h2', seq: 1, msg: 'other host' },
      ]);
    }, 120_000);

    const listed = JSON.parse((await cuttle('sources', 'list')).out) as { name: string; state: string }[];
    expect(listed.map((s) => [s.name, s.state])).toEqual([[name(), 'active']]);
    const shown = JSON.parse((await cuttle('sources', 'show', name())).out) as {
      record: { connector: { properties: Record<string, string> } };
      connector: { connector: { state: string } };
    };
    expect(shown.connector.connector.state).toBe('RUNNING');
    // Connect and the registry row hold the reference; only the Connect worker read the value.
    const placeholder = `\${file:${join(secretsDir, 'origin.properties')}:password}`;
    expect(shown.record.connector.properties['database.password']).toBe(placeholder);
    const stored = (await (
      await fetch(`${stackEnv.connectUrl}/connectors/${name()}/config`)
    ).json()) as Record<string, string>;
    expect(stored['database.password']).toBe(placeholder);

    // Policies change in place; the registry row (which loaders follow) carries them.
    const set = await cuttle(
      'sources',
      'set',
      name(),
      '--dead-letter-policy',
      'skip',
      '--truncate',
      'ignore',
    );
    expect(set.code, set.err).toBe(0);
    const updated = JSON.parse((await cuttle('sources', 'show', name())).out) as {
      record: { config: { deadLetterPolicy: string; truncate: string; schemaChanges: string } };
    };
    expect(updated.record.config).toMatchObject({
      deadLetterPolicy: 'skip',
      truncate: 'ignore',
      schemaChanges: 'hold',
    });
    const nothing = await cuttle('sources', 'set', name());
    expect(JSON.parse(nothing.err)).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect((await cuttle('sources', 'set', name(), '--truncate', 'drop')).code).not.toBe(0);

    expect((await cuttle('sources', 'pause', name())).code).toBe(0);
    await eventually(async () => {
      expect((await connect.status(name()))?.connector.state).toBe('PAUSED');
      expect(following.topics).toEqual([]);
    });
    expect((await cuttle('sources', 'resume', name())).code).toBe(0);
    await eventually(() => Promise.resolve(expect(following.topics.length).toBeGreaterThan(0)));
    await origin.exec("UPDATE prices SET note = 'after resume' WHERE sku = 'a-1'");
    await eventually(async () => {
      expect((await harness.rows('shop', 'prices'))[0]).toEqual({
        sku: 'a-1',
        amount: '1.5',
        note: 'after resume',
      });
    }, 120_000);

    expect((await cuttle('sources', 'remove', name())).code).toBe(0);
    expect(await connect.status(name())).toBeNull();
    expect(JSON.parse((await cuttle('sources', 'list')).out)).toEqual([]);
    await eventually(() => Promise.resolve(expect(following.topics).toEqual([])));
  });
});
