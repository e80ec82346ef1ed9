/**
 * The short chaos run of `npm test`: the fleet of stack/fleet/fleet.json (its own private stack
 * on the 2xxxx ports, never the shared one) under three seeded runs of workload and faults, every
 * invariant of stack/chaos checked. The test builds dist/ (the fleet runs the compiled entry
 * points), brings the fleet and its stack up, and stops both after the last case. The long runs are
 * `npm run chaos -- --runs 50` and `npm run chaos -- --soak` (stack/chaos/README.md).
 */
import { describe, expect, it } from 'vitest';
import { chaosSession } from '../../../stack/chaos/session.ts';
import { loadFleet } from '../../../stack/fleet/description.ts';

describe('chaos: the whole fleet under seeded faults', () => {
  it(
    'keeps every invariant through three short seeded runs',
    async () => {
      const lines: string[] = [];
      const { summary } = await chaosSession(
        loadFleet(),
        {
          runs: 3,
          seed: 'npm-test',
          workloadMs: 30_000,
          rate: 8,
          faults: 2,
          convergeTimeoutMs: 180_000,
          build: true,
          keepFleet: true,
        },
        (line) => lines.push(line),
      );
      const report = `${lines.join('\n')}\n${JSON.stringify(summary, null, 2)}`;
      expect(summary.runs, report).toBe(3);
      expect(summary.firstViolations, report).toEqual([]);
      expect(summary.passed, report).toBe(3);
      expect(summary.changes, report).toBeGreaterThan(300);
    },
    30 * 60_000,
  );

  // Regression (invariant: after quiescing, ctldb equals the origin): after a broker restart the one
  // Connect worker rejoined as a new member and Connect held its connector unassigned for 5 minutes.
  it(
    'converges after Kafka broker and Connect worker kills',
    async () => {
      const lines: string[] = [];
      const { summary } = await chaosSession(
        loadFleet(),
        {
          runs: 1,
          seed: 'broker-1',
          workloadMs: 30_000,
          rate: 8,
          faults: 2,
          kinds: ['kill-kafka', 'kill-connect'],
          convergeTimeoutMs: 120_000,
          build: false,
          keepFleet: false,
        },
        (line) => lines.push(line),
      );
      const report = `${lines.join('\n')}\n${JSON.stringify(summary, null, 2)}`;
      expect(summary.faults['kill-kafka'], report).toBe(1);
      expect(summary.faults['kill-connect'], report).toBe(1);
      expect(summary.firstViolations, report).toEqual([]);
      expect(summary.passed, report).toBe(1);
    },
    15 * 60_000,
  );
});
