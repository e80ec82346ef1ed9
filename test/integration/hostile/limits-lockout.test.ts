/**
 * Limits cannot lock a writer out: a period over a day is refused, a request's charge is capped
 * at the burst, and changing or removing a limit clears what the old one left stored. A writer
 * moved from a tiny limit to a large one is admitted at once, in local and in Redis mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestExecutive, type TestExecutive, type WriterCredentials } from '../../support/executive.ts';
import { stackEnv } from '../../support/stack-env.ts';
import { dropPrefix, uniquePrefix } from '../limits/context.ts';

const MODES = [
  { mode: 'local', dialect: 'sqlite' },
  { mode: 'redis', dialect: 'mysql' },
] as const;

interface ErrorBody {
  readonly error: { readonly code: string; readonly details: Record<string, unknown> };
}

describe.each(MODES)('limits cannot lock a writer out ($mode mode, $dialect ctldb)', ({ mode, dialect }) => {
  const prefix = uniquePrefix('lockout');
  let ex: TestExecutive;
  let writer: WriterCredentials;
  let id = 0;
  const upsert = (count = 1) =>
    ex.mutate<ErrorBody>(writer, 'lockout', {
      mutations: Array.from({ length: count }, () => ({ table: 'rows', values: { id: ++id } })),
    });
  const setWriterLimit = (rateAmount: unknown, ratePeriodMs: unknown) =>
    ex.admin<ErrorBody>('PUT', `/limits/writers/${writer.writer}`, { rateAmount, ratePeriodMs });

  beforeAll(async () => {
    ex = await startTestExecutive(dialect, {
      area: 'lockout',
      config: {
        limitsMode: mode,
        limitsKeyPrefix: prefix,
        ...(mode === 'redis' ? { redisUrl: stackEnv.redisUrl } : {}),
      },
    });
    await ex.setupTable('lockout', 'rows', [['id', 'integer']], ['id']);
    writer = await ex.registerWriter('lockout-writer', undefined, { families: ['lockout'] });
  });
  afterAll(async () => {
    await ex.close();
    if (mode === 'redis') await dropPrefix(prefix);
  });

  it('refuses a period over a day and a period a double cannot carry', async () => {
    const forever = await setWriterLimit(1, 2 ** 53 - 1);
    expect([forever.status, forever.body.error.code]).toEqual([400, 'BAD_REQUEST']);
    expect(forever.body.error.details).toMatchObject({ field: 'ratePeriodMs' });
    expect((await setWriterLimit(1, 86_400_001)).status).toBe(400);
    const lossy = await ex.request<ErrorBody>('PUT', `/limits/writers/${writer.writer}`, {
      body: Buffer.from('{"rateAmount": 1.0000000000000001, "ratePeriodMs": 1000}'),
      headers: { authorization: `Bearer ${ex.adminToken}` },
    });
    expect([lossy.status, lossy.body.error.code, lossy.body.error.details.field]).toEqual([
      400,
      'INTEGER_PRECISION_LOST',
      'rateAmount',
    ]);
  });

  it('admits a writer at once when its tiny limit is raised, and again when it is removed', async () => {
    expect((await setWriterLimit(1, 86_400_000)).status).toBe(200);
    // A batch far larger than the burst passes on a full bucket and is charged the burst only.
    expect((await upsert(50)).status).toBe(200);
    const waiting = await upsert();
    expect([waiting.status, waiting.body.error.code]).toEqual([429, 'RATE_LIMITED']);
    // One period at most, never 50 periods of debt.
    expect(Number(waiting.headers.get('retry-after'))).toBeLessThanOrEqual(86_400);
    expect(Number(waiting.headers.get('retry-after'))).toBeGreaterThan(86_000);

    expect((await setWriterLimit(1000, 1000)).status).toBe(200);
    expect((await upsert()).status).toBe(200);

    // Tiny again, exhausted, then removed: the default limit admits at once too.
    expect((await setWriterLimit(1, 3_600_000)).status).toBe(200);
    expect((await upsert()).status).toBe(200);
    expect((await upsert()).status).toBe(429);
    expect((await ex.admin('DELETE', `/limits/writers/${writer.writer}`)).status).toBe(200);
    expect((await upsert()).status).toBe(200);
  });

  it('clears a table limit the same way', async () => {
    const path = '/limits/tables/lockout/rows';
    expect((await ex.admin('PUT', path, { rateAmount: 1, ratePeriodMs: 86_400_000 })).status).toBe(200);
    expect((await upsert()).status).toBe(200);
    expect((await upsert()).status).toBe(429);
    expect((await ex.admin('PUT', path, { rateAmount: 500, ratePeriodMs: 1000 })).status).toBe(200);
    expect((await upsert()).status).toBe(200);
    expect((await ex.admin('PUT', path, 'not an object')).status).toBe(400);
    expect((await ex.admin('PUT', path, [1, 2])).status).toBe(400);
  });
});
