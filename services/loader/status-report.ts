/**
 * The loader's status record (lib/status), from what it already tracks: per partition the Kafka
 * lag (high watermark minus the next offset stored in ctldb) and whether it is halted; the dead
 * letters waiting in the queue; readiness as GET /ready reports it; the age of the oldest fetched
 * event not yet in ctldb (null when none is in hand: see pipeline/unapplied-fetches.ts).
 */
import type { LoaderPartitionFigures, RoleReport } from '../../lib/status/record.ts';
import type { Loader } from './loader.ts';
import type { PartitionStatus } from './pipeline/partition-worker.ts';

function lagOf(s: PartitionStatus): number | null {
  if (s.highWatermark === null || s.committedNext === null) return null;
  const lag = Number(BigInt(s.highWatermark) - BigInt(s.committedNext));
  return Math.max(0, lag);
}

function partitionFigures(s: PartitionStatus): LoaderPartitionFigures {
  return {
    source: s.source,
    topic: s.topic,
    partition: s.partition,
    lag: lagOf(s),
    oldestUnappliedAgeMs: s.oldestUnappliedAgeMs,
    halted: s.halted === null ? null : `${s.halted.code}: ${s.halted.reason}`,
  };
}

function notReadyReason(statuses: readonly PartitionStatus[]): string {
  const retrying = statuses.find((s) => s.waitingFor === 'retry');
  if (retrying !== undefined)
    return `${retrying.topic}/${retrying.partition} retrying: ${retrying.waiting ?? 'executive or registry unreachable'}`;
  return 'sources not read, consumer not joined, or Kafka silent';
}

/** The queue is listed whole (letters and all), so its count is refreshed only this often. */
const DEAD_LETTER_COUNT_EVERY_MS = 10_000;

export function loaderReport(loader: Loader, clock: () => number = Date.now): () => Promise<RoleReport> {
  let counted: { at: number; deadLetters: number | null } | undefined;
  return async () => {
    const statuses = loader.statuses;
    if (counted === undefined || clock() - counted.at >= DEAD_LETTER_COUNT_EVERY_MS) {
      const deadLetters = await loader.deadLetters.list().then(
        (letters) => letters.length,
        () => null,
      );
      counted = { at: clock(), deadLetters };
    }
    const { deadLetters } = counted;
    const ready = loader.ready();
    return {
      role: 'loader',
      ready,
      reason: ready ? null : notReadyReason(statuses),
      figures: { partitions: statuses.map(partitionFigures), deadLetters },
    };
  };
}
