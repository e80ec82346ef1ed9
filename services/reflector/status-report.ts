/**
 * The reflector's status record (lib/status), from the follower's own status: LDB seq, the ledger
 * head seen at the last poll, lag in entries and ms, staleness; ready when caught up.
 */
import type { FollowerStatus } from '../../lib/ldb/follower.ts';
import { finiteOrNull, type RoleReport } from '../../lib/status/record.ts';

function notReadyReason(status: FollowerStatus, maxStalenessSeconds: number): string {
  if (status.state === 'failed') return `follower stopped: ${status.error?.message ?? 'unknown error'}`;
  if (status.state !== 'following') return `follower ${status.state}`;
  if (status.headSeq === null) return 'ledger not read yet';
  if (status.seq < status.headSeq) return `behind the ledger: seq ${status.seq} of ${status.headSeq}`;
  if (!Number.isFinite(status.stalenessSeconds)) return 'no ledger entry applied yet';
  if (status.stalenessSeconds > maxStalenessSeconds)
    return `stale: ${Math.round(status.stalenessSeconds)} s (over ${maxStalenessSeconds} s)`;
  return 'catching up';
}

export function reflectorReport(status: () => FollowerStatus, maxStalenessSeconds: number): () => RoleReport {
  return () => {
    const s = status();
    const staleness = finiteOrNull(s.stalenessSeconds);
    const lagEntries = s.headSeq === null ? null : Math.max(0, s.headSeq - s.seq);
    // Behind the head, the lag in time is the age of the newest entry applied; at the head, none.
    const lagMs =
      lagEntries === null ? null : lagEntries === 0 ? 0 : staleness === null ? null : staleness * 1000;
    return {
      role: 'reflector',
      ready: s.caughtUp,
      reason: s.caughtUp ? null : notReadyReason(s, maxStalenessSeconds),
      figures: {
        state: s.state,
        ldbSeq: s.seq,
        ledgerHead: s.headSeq,
        lagEntries,
        lagMs: lagMs === null ? null : Math.round(lagMs),
        stalenessSeconds: staleness === null ? null : Math.round(staleness * 1000) / 1000,
        maxStalenessSeconds,
      },
    };
  };
}
