/**
 * GET /fleet on an in-process executive: admin only (error bodies as every admin route), its own
 * record published into the status store it is given (the embedded mode's in-process store), other
 * processes' records shown with the summary, and 503 UNAVAILABLE when the status Redis is down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../lib/logging.ts';
import { fleetSchema } from '../../../lib/status/fleet.ts';
import { StatusPublisher } from '../../../lib/status/publisher.ts';
import { InProcessStatusStore } from '../../../lib/status/store.ts';
import { startTestExecutive, type TestExecutive } from '../../support/executive.ts';

describe('GET /fleet', () => {
  const store = new InProcessStatusStore();
  let ex: TestExecutive;

  beforeAll(async () => {
    ex = await startTestExecutive('sqlite', {
      area: 'fleet',
      config: { statusIntervalMs: 200, statusId: 'ex-fleet' },
      deps: { statusStore: store },
    });
  });
  afterAll(() => ex.close());

  it('needs the admin token', async () => {
    const anonymous = await ex.request('GET', '/fleet');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const wrong = await ex.request('GET', '/fleet', { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(403);
  });

  it('lists the executive itself and what others publish, with the summary', async () => {
    const reflector = new StatusPublisher(
      {
        sink: store,
        log: silentLogger(),
        report: () => ({
          role: 'reflector',
          ready: false,
          reason: 'behind the ledger: seq 1 of 9',
          figures: {
            state: 'following',
            ldbSeq: 1,
            ledgerHead: 9,
            lagEntries: 8,
            lagMs: 1500,
            stalenessSeconds: 1.5,
            maxStalenessSeconds: 60,
          },
        }),
      },
      { id: 'rf-fleet', intervalMs: 200 },
    );
    await reflector.start();
    try {
      const headers = { authorization: `Bearer ${ex.adminToken}` };
      await expect.poll(async () => (await ex.request('GET', '/fleet', { headers })).status).toBe(200);
      const fleet = fleetSchema.parse((await ex.request('GET', '/fleet', { headers })).body);
      expect(fleet.processes.map((p) => [p.record.role, p.record.id, p.state])).toEqual([
        ['executive', 'ex-fleet', 'live'],
        ['reflector', 'rf-fleet', 'live'],
      ]);
      const own = fleet.processes[0]?.record;
      expect(own?.role === 'executive' && own.figures.url).toBe(ex.url);
      expect(fleet.summary).toEqual({
        status: 'degraded',
        reasons: ['reflector rf-fleet not ready: behind the ledger: seq 1 of 9'],
      });
    } finally {
      await reflector.stop();
    }
  });
});

describe('GET /fleet with the status Redis down', () => {
  it('answers 503 UNAVAILABLE, retriable', async () => {
    const ex = await startTestExecutive('sqlite', {
      area: 'fleet',
      config: { statusRedisUrl: 'redis://127.0.0.1:1' },
    });
    try {
      const response = await ex.request('GET', '/fleet', {
        headers: { authorization: `Bearer ${ex.adminToken}` },
      });
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ error: { code: 'UNAVAILABLE' } });
      expect(response.headers.get('retry-after')).toBe('1');
    } finally {
      await ex.close();
    }
  });
});
