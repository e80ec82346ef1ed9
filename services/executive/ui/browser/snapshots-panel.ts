/** Snapshots as the supervisors report them in their status records (GET /fleet). */
import type { Fleet } from '../../../../lib/status/fleet.ts';
import { ageText, bytesText, orDash, table } from './dom.ts';

export function snapshotsPanel(fleet: Fleet): Node[] {
  const rows = fleet.processes.flatMap((p) =>
    p.record.role === 'supervisor'
      ? [
          [
            p.record.id,
            p.state,
            orDash(p.record.figures.snapshotSeq),
            ageText(p.record.figures.snapshotAgeMs),
            bytesText(p.record.figures.snapshotBytes),
            bytesText(p.record.figures.snapshotCompressedBytes),
            ageText(p.record.figures.intervalMs),
            p.record.figures.lastOutcome,
          ],
        ]
      : [],
  );
  return [
    table(
      'Snapshots by supervisor',
      ['Supervisor', 'State', 'Snapshot seq', 'Age', 'Size', 'Compressed', 'Interval', 'Last outcome'],
      rows,
    ),
  ];
}
