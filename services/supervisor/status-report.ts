/**
 * The supervisor's status record (lib/status): its private LDB's seq, and the newest snapshot it
 * knows (seq, age, size); ready when its follower is caught up (it may then claim snapshots).
 */
import type { RoleReport } from '../../lib/status/record.ts';
import type { Supervisor } from './supervisor.ts';

export function supervisorReport(
  supervisor: Supervisor,
  intervalMs: number,
  clock: () => number = Date.now,
): () => RoleReport {
  return () => {
    const follower = supervisor.reflector.status();
    const newest = supervisor.loop.newest;
    const ready = supervisor.ready();
    const reason =
      supervisor.problem() ?? `follower not caught up (seq ${follower.seq} of ${follower.headSeq ?? '?'})`;
    return {
      role: 'supervisor',
      ready,
      reason: ready ? null : reason,
      figures: {
        ldbSeq: follower.seq,
        snapshotSeq: newest?.seq ?? null,
        snapshotAgeMs: newest === null ? null : Math.max(0, clock() - Date.parse(newest.createdAt)),
        snapshotBytes: newest?.size ?? null,
        snapshotCompressedBytes: newest?.compressedSize ?? null,
        intervalMs,
        lastOutcome: supervisor.loop.lastOutcome,
      },
    };
  };
}
