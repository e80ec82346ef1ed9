/**
 * The reader library against LDBs a real reflector writes: typed exact rows, key order and
 * paging, position and staleness, schema changes under cached statements, and a file swap.
 */
import { renameSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CuttleError } from '../../../lib/errors.ts';
import { openLdb, type LdbReader } from '../../../lib/reader/ldb-reader.ts';
import type { TableSchema } from '../../../lib/schema/types.ts';
import { INT64_MAX, INT64_MIN } from '../../../lib/schema/values.ts';
import { op } from '../../support/ledger-fixture.ts';
import { openReflectorContext, type ReflectorContext } from './reflector-context.ts';

const users: TableSchema = {
  family: 'acme',
  table: 'users',
  fields: [
    { name: 'region', type: 'string' },
    { name: 'id', type: 'integer' },
    { name: 'token', type: 'bytestring' },
    { name: 'balance', type: 'decimal' },
    { name: 'bio', type: 'text' },
    { name: 'avatar', type: 'binary' },
  ],
  keyFields: ['region', 'id'],
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof CuttleError ? err.code : `not a CuttleError: ${String(err)}`;
  }
  return 'no error';
}

let ctx: ReflectorContext;
let reader: LdbReader;

beforeEach(async () => {
  ctx = await openReflectorContext('sqlite');
  await ctx.commit([op.createTable(users)]);
  reader = openLdb(ctx.ldbPath, { replaceCheckMs: 0 });
});

afterEach(async () => {
  reader.close();
  await ctx.close();
});

describe('reader library', () => {
  it('gets a row by full key with exact types', async () => {
    const row = {
      region: 'eu',
      id: INT64_MAX,
      token: Buffer.from([0, 255]),
      balance: '-123456789012345678901234567890.000000001',
      bio: 'naïve 😀',
      avatar: Buffer.alloc(0),
    };
    await ctx.commit([op.upsert(users, row)]);
    expect(reader.getRow('acme', 'users', ['eu', INT64_MAX])).toEqual(row);
    expect(reader.getRow('acme', 'users', { id: '9223372036854775807', region: 'eu' })).toEqual(row);
    expect(reader.getRow('acme', 'users', ['EU', INT64_MAX])).toBeUndefined();
    expect(reader.getRow('acme', 'users', ['eu ', INT64_MAX])).toBeUndefined();
  });

  it('reads rows by prefix in key order, with limit and after for paging', async () => {
    const keys: [string, bigint][] = [
      ['a', 5n],
      ['a', -1n],
      ['a', INT64_MIN],
      ['A', 1n],
      ['a ', 0n],
      ['b', 2n],
    ];
    await ctx.commit(keys.map(([region, id]) => op.upsert(users, { region, id })));
    const all = reader.rowsByPrefix('acme', 'users', []).map((r) => [r['region'], r['id']]);
    expect(all).toEqual([
      ['A', 1n],
      ['a', INT64_MIN],
      ['a', -1n],
      ['a', 5n],
      ['a ', 0n],
      ['b', 2n],
    ]);
    const page1 = reader.rowsByPrefix('acme', 'users', ['a'], { limit: 2 });
    expect(page1.map((r) => r['id'])).toEqual([INT64_MIN, -1n]);
    const last = page1[1] as Record<string, unknown>;
    const page2 = reader.rowsByPrefix(
      'acme',
      'users',
      { region: 'a' },
      { limit: 2, after: [last['region'] as string, last['id'] as bigint] },
    );
    expect(page2.map((r) => r['id'])).toEqual([5n]);
  });

  it('reports the position and staleness from the last applied entry and heartbeat', async () => {
    const committedAt = Date.now() - 10_000;
    const seq = await ctx.commit([op.heartbeat()], committedAt);
    const clocked = openLdb(ctx.ldbPath, { clock: () => committedAt + 2500 });
    try {
      expect(clocked.lastSeq()).toBe(seq);
      expect(clocked.position()).toMatchObject({ seq, committedAt, heartbeatAt: committedAt });
      expect(clocked.staleness()).toBe(2.5);
    } finally {
      clocked.close();
    }
  });

  it('names the problem: unknown table, partial key, wrong key type', () => {
    expect(codeOf(() => reader.getRow('acme', 'nope', ['x']))).toBe('TABLE_NOT_FOUND');
    expect(codeOf(() => reader.getRow('acme', 'users', ['eu']))).toBe('INVALID_KEY');
    expect(codeOf(() => reader.getRow('acme', 'users', { region: 'eu' }))).toBe('MISSING_KEY_FIELD');
    expect(codeOf(() => reader.getRow('acme', 'users', ['eu', 1.5]))).toBe('INVALID_KEY');
  });

  it('follows schema changes while it holds prepared statements', async () => {
    await ctx.commit([op.upsert(users, { region: 'eu', id: 1n, bio: 'x' })]);
    expect(reader.getRow('acme', 'users', ['eu', 1n])).toMatchObject({ bio: 'x' });
    expect(reader.rowsByPrefix('acme', 'users', ['eu'])).toHaveLength(1);

    const withScore: TableSchema = {
      ...users,
      fields: [...users.fields, { name: 'score', type: 'integer' }],
    };
    await ctx.commit([
      op.addFields(users, [{ name: 'score', type: 'integer' }]),
      op.upsert(withScore, { region: 'eu', id: 1n, score: 7n }),
    ]);
    expect(reader.getRow('acme', 'users', ['eu', 1n])).toMatchObject({ score: 7n, bio: null });

    // Same name, new key: the cached statements (WHERE region = ? AND id = ?) must not be used.
    const rebuilt: TableSchema = {
      family: 'acme',
      table: 'users',
      fields: [
        { name: 'email', type: 'string' },
        { name: 'id', type: 'integer' },
      ],
      keyFields: ['email'],
    };
    await ctx.commit([
      op.dropTable(users),
      op.createTable(rebuilt),
      op.upsert(rebuilt, { email: 'eu', id: 1n }),
    ]);
    expect(reader.getRow('acme', 'users', ['eu'])).toEqual({ email: 'eu', id: 1n });
    expect(codeOf(() => reader.getRow('acme', 'users', ['eu', 1n]))).toBe('INVALID_KEY');
    expect(reader.rowsByPrefix('acme', 'users', [])).toEqual([{ email: 'eu', id: 1n }]);

    await ctx.commit([op.dropTable(rebuilt)]);
    expect(codeOf(() => reader.getRow('acme', 'users', ['eu']))).toBe('TABLE_NOT_FOUND');
  });

  it('notices the LDB file was replaced and reopens it', async () => {
    await ctx.commit([op.upsert(users, { region: 'old', id: 1n })]);
    expect(reader.getRow('acme', 'users', ['old', 1n])).toBeDefined();

    const other = await openReflectorContext('sqlite');
    try {
      await other.commit([op.createTable(users), op.upsert(users, { region: 'new', id: 2n })]);
      await other.reflector.stop(); // closing the only connection checkpoints and removes its WAL
      await ctx.reflector.stop();
      // A bootstrap's swap: drop the old WAL files first, then rename the new LDB over the path.
      rmSync(`${ctx.ldbPath}-wal`, { force: true });
      rmSync(`${ctx.ldbPath}-shm`, { force: true });
      renameSync(other.ldbPath, ctx.ldbPath);
      expect(reader.getRow('acme', 'users', ['new', 2n])).toMatchObject({ region: 'new', id: 2n });
      expect(reader.getRow('acme', 'users', ['old', 1n])).toBeUndefined();
      expect(reader.reopens).toBe(1);
    } finally {
      await other.close();
    }
  });
});
