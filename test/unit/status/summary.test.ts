import { describe, expect, it } from 'vitest';
import { summarize } from '../../../lib/status/summary.ts';
import {
  executive,
  healthyFleet,
  loader,
  NOW,
  reflector,
  seen,
  supervisor,
} from '../../support/status-records.ts';

describe('fleet summary', () => {
  it('is healthy when every role has a live, ready process within its bounds', () => {
    expect(summarize(healthyFleet(), NOW)).toEqual({ status: 'healthy', reasons: [] });
  });

  it('is failing when nothing is live', () => {
    const all = healthyFleet().map((p) => ({ ...p, state: 'gone' as const }));
    expect(summarize(all, NOW)).toEqual({ status: 'failing', reasons: ['no live process'] });
    expect(summarize([], NOW).status).toBe('failing');
  });

  it('is failing when no executive is live, and says which role', () => {
    const fleet = [seen(executive(), 'gone'), seen(reflector())];
    const summary = summarize(fleet, NOW);
    expect(summary.status).toBe('failing');
    expect(summary.reasons).toEqual(['no live executive', 'executive ex-1 gone (last seen 1 s ago)']);
  });

  it('is degraded by a gone process, naming it, even when its role has another live one', () => {
    const fleet = [...healthyFleet(), seen(reflector('rf-2'), 'gone')];
    expect(summarize(fleet, NOW)).toEqual({
      status: 'degraded',
      reasons: ['reflector rf-2 gone (last seen 1 s ago)'],
    });
  });

  it('is degraded by a role whose only process is gone', () => {
    const fleet = [seen(executive()), seen(reflector(), 'gone')];
    expect(summarize(fleet, NOW).reasons).toEqual([
      'no live reflector',
      'reflector rf-1 gone (last seen 1 s ago)',
    ]);
    expect(summarize(fleet, NOW).status).toBe('degraded');
  });

  it('does not count a gracefully stopped process as gone, but still misses its role', () => {
    const fleet = [seen(executive()), seen(reflector(), 'stopped')];
    expect(summarize(fleet, NOW)).toEqual({ status: 'degraded', reasons: ['no live reflector'] });
    const withAnother = [...healthyFleet(), seen(reflector('rf-2'), 'stopped')];
    expect(summarize(withAnother, NOW).status).toBe('healthy');
  });

  it('is degraded by a live process that is not ready, with its reason', () => {
    const notReady = { ...loader(), ready: false, reason: 'Kafka silent' };
    const fleet = [seen(executive()), seen(notReady)];
    expect(summarize(fleet, NOW).reasons).toEqual(['loader ld-1 not ready: Kafka silent']);
  });

  it('is degraded by reflector staleness over its own bound, or over the one given', () => {
    const stale = reflector();
    const fleet = [
      seen(executive()),
      seen({ ...stale, figures: { ...stale.figures, stalenessSeconds: 61 } }),
    ];
    expect(summarize(fleet, NOW).reasons).toEqual(['reflector rf-1 stale: 61 s (over 60 s)']);
    expect(summarize(healthyFleet(), NOW, { maxStalenessSeconds: 1 }).reasons).toEqual([
      'reflector rf-1 stale: 2 s (over 1 s)',
    ]);
  });

  it('reports dead letters once, as the largest count any loader saw (they share one queue)', () => {
    const withLetters = (id: string, deadLetters: number) => {
      const l = loader(id);
      return seen({ ...l, figures: { ...l.figures, deadLetters } });
    };
    const fleet = [seen(executive()), withLetters('ld-1', 3), withLetters('ld-2', 2)];
    expect(summarize(fleet, NOW)).toEqual({ status: 'degraded', reasons: ['3 dead letters waiting'] });
  });

  it('is degraded by a halted loader partition', () => {
    const l = loader();
    const partition = { ...l.figures.partitions[0]!, halted: 'POISON: bad row' };
    const fleet = [seen(executive()), seen({ ...l, figures: { ...l.figures, partitions: [partition] } })];
    expect(summarize(fleet, NOW).reasons).toEqual(['loader ld-1: t1/0 halted (POISON: bad row)']);
  });

  it('is degraded by a limiter on its fallback', () => {
    const e = executive();
    const fleet = [seen({ ...e, figures: { ...e.figures, limiterMode: 'fallback' } })];
    expect(summarize(fleet, NOW).reasons).toEqual(['executive ex-1: limiter on its in-process fallback']);
  });

  it('is degraded by a snapshot older than two supervisor intervals, counting time since publication', () => {
    const s = supervisor();
    // 599 s old when published, 1 s ago: 600 s is the limit, so not yet over it.
    const atLimit = { ...s, figures: { ...s.figures, snapshotAgeMs: 599_000 } };
    expect(summarize([seen(executive()), seen(atLimit)], NOW).status).toBe('healthy');
    const over = { ...s, figures: { ...s.figures, snapshotAgeMs: 600_000 } };
    expect(summarize([seen(executive()), seen(over)], NOW).reasons).toEqual([
      'supervisor sv-1: newest snapshot 601 s old (over 600 s)',
    ]);
  });

  it('is degraded by a supervisor with no snapshot two intervals after its start', () => {
    const s = supervisor();
    const none = {
      ...s,
      figures: { ...s.figures, snapshotSeq: null, snapshotAgeMs: null, intervalMs: 10_000 },
    };
    expect(summarize([seen(executive()), seen(none)], NOW).reasons).toEqual([
      'supervisor sv-1: no snapshot 60 s after start (over 20 s)',
    ]);
    const young = { ...none, figures: { ...none.figures, intervalMs: 60_000 } };
    expect(summarize([seen(executive()), seen(young)], NOW).status).toBe('healthy');
  });
});
