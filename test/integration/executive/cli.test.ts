/** The `cuttle` command against a real executive in this process (and once as its own process). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/program.ts';
import { startTestExecutive, type TestExecutive } from '../../support/executive.ts';

interface Run {
  code: number;
  out: string;
  err: string;
}

describe('cuttle CLI', () => {
  let ex: TestExecutive;
  beforeAll(async () => {
    ex = await startTestExecutive('sqlite', { area: 'cli' });
  });
  afterAll(() => ex.close());

  async function cuttle(...args: string[]): Promise<Run> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['--executive', ex.url, '--admin-token', ex.adminToken, ...args], {
      out: (s) => out.push(s),
      err: (s) => err.push(s),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('creates and lists families', async () => {
    expect(await cuttle('families', 'create', 'billing')).toMatchObject({
      code: 0,
      out: 'created family billing',
    });
    const list = await cuttle('families', 'list');
    expect(list.out).toBe('FAMILY\nbilling');
    const json = await cuttle('--json', 'families', 'list');
    expect(JSON.parse(json.out)).toEqual({ families: ['billing'] });
  });

  it('creates a table, adds fields and shows the schema', async () => {
    const create = await cuttle(
      'tables',
      'create',
      'billing',
      'invoices',
      '--field',
      'id:integer',
      'customer:string',
      'amount:decimal',
      '--key',
      'customer',
      'id',
    );
    expect(create.code).toBe(0);
    expect(create.out).toMatch(/^created table billing\.invoices \(ledger seq \d+\)$/);
    expect(
      (await cuttle('tables', 'add-fields', 'billing', 'invoices', '-f', 'note:text', 'pdf:binary')).code,
    ).toBe(0);
    const show = await cuttle('tables', 'show', 'billing', 'invoices');
    expect(show.out).toBe(
      [
        'billing.invoices',
        'FIELD     TYPE     KEY',
        'id        integer  key 2',
        'customer  string   key 1',
        'amount    decimal',
        'note      text',
        'pdf       binary',
      ].join('\n'),
    );
    const json = JSON.parse((await cuttle('--json', 'tables', 'show', 'billing')).out) as {
      tables: { keyFields: string[] }[];
    };
    expect(json.tables[0]?.keyFields).toEqual(['customer', 'id']);
  });

  it('registers writers, rotates secrets and shows offsets', async () => {
    const unscoped = await cuttle('writers', 'add', 'billing-loader');
    expect([unscoped.code, unscoped.err]).toEqual([1, expect.stringContaining('error WRITER_SCOPE_MISSING')]);
    const registered = await cuttle('--json', 'writers', 'register', 'billing-loader', '--family', 'billing');
    const { secret } = JSON.parse(registered.out) as { secret: string };
    expect(secret.length).toBeGreaterThanOrEqual(16);
    await ex.mutate({ writer: 'billing-loader', secret }, 'billing', {
      mutations: [{ table: 'invoices', values: { id: 1, customer: 'acme' } }],
      offsets: [{ stream: 'billing.invoices/0', expected: null, next: '43' }],
    });
    const offsets = await cuttle('writers', 'offsets', 'billing-loader');
    expect(offsets.out).toBe('STREAM              NEXT OFFSET\nbilling.invoices/0  43\ncookie: (none)');
    expect((await cuttle('writers', 'rotate', 'billing-loader', '--secret', 'a brand new secret')).out).toBe(
      'rotated writer billing-loader',
    );
    expect((await cuttle('writers', 'list')).out).toMatch(
      /^WRITER +SCOPE +CREATED\nbilling-loader +billing +\d{4}-/,
    );
    expect(
      (await cuttle('writers', 'scope', 'billing-loader', '--family', 'billing', '--family', 'ops')).out,
    ).toBe('writer billing-loader may now write billing, ops');
    const listed = JSON.parse((await cuttle('--json', 'writers', 'list')).out) as {
      writers: { name: string; scope: unknown }[];
    };
    expect(listed.writers).toEqual([
      expect.objectContaining({ name: 'billing-loader', scope: { families: ['billing', 'ops'] } }),
    ]);
  });

  it('drops and clears only with confirmation, saying what to do', async () => {
    const refused = await cuttle('tables', 'drop', 'billing', 'invoices');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('error CONFIRMATION_REQUIRED');
    expect(refused.err).toContain('what to do: repeat the table as --confirm <family>.<table>');
    expect(
      (await cuttle('tables', 'clear', 'billing', 'invoices', '--confirm', 'billing.invoices')).code,
    ).toBe(0);
    expect(
      (await cuttle('tables', 'drop', 'billing', 'invoices', '--confirm', 'billing.invoices')).code,
    ).toBe(0);
    const gone = await cuttle('tables', 'show', 'billing', 'invoices');
    expect([gone.code, gone.err.split('\n')[0]]).toEqual([
      1,
      'error TABLE_NOT_FOUND: table billing.invoices does not exist',
    ]);
  });

  it('reports errors with their code and a hint, also as JSON', async () => {
    const noToken = await runCli(['--executive', ex.url, 'families', 'create', 'nope'], {
      out: () => undefined,
      err: () => undefined,
    });
    expect(noToken).toBe(1);
    const bad = await cuttle('--json', 'tables', 'create', 'billing', 'bad', '-f', 'x:float', '-k', 'x');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.err)).toMatchObject({
      error: { code: 'INVALID_FIELD_TYPE' },
      hint: expect.stringContaining('string, bytestring'),
    });
    const down = await runCli(['--executive', 'http://127.0.0.1:9', 'families', 'list'], {
      out: () => undefined,
      err: () => undefined,
    });
    expect(down).toBe(1);
    expect((await cuttle('tables', 'create', 'billing')).code).toBe(2);
  });

  // The packed, compiled bin is test/integration/install/pack.test.ts's.
  it('runs as its own process, with options from the environment', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', '--json', 'families', 'list'],
      {
        env: { ...process.env, CUTTLE_EXECUTIVE_URL: ex.url, CUTTLE_ADMIN_TOKEN: ex.adminToken },
      },
    );
    expect(JSON.parse(stdout)).toEqual({ families: ['billing'] });
  });
});
