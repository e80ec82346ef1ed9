/**
 * The fleet view `cuttle status` and `GET /fleet` show: every process seen recently, live, gone or
 * stopped, ordered by role and id, with the summary (summary.ts).
 */
import { z } from 'zod';
import { ROLES, statusRecordSchema, type StatusRecord } from './record.ts';
import type { ProcessState, StatusSource } from './store.ts';
import { summarize, type FleetSummary, type SummaryOptions } from './summary.ts';

/** How long a gone or stopped process stays in the view. @defaultValue 10 minutes */
export const DEFAULT_RETENTION_MS = 10 * 60_000;

export interface FleetProcess {
  readonly state: ProcessState;
  /** ISO time of its newest record, or of its graceful stop. */
  readonly lastSeenAt: string;
  readonly record: StatusRecord;
}

export interface Fleet {
  readonly generatedAt: string;
  readonly summary: FleetSummary;
  readonly processes: readonly FleetProcess[];
}

export interface FleetOptions extends SummaryOptions {
  readonly retentionMs?: number;
  readonly now?: number;
}

const roleOrder = (record: StatusRecord): number => ROLES.indexOf(record.role);

export async function readFleet(source: StatusSource, options: FleetOptions = {}): Promise<Fleet> {
  const now = options.now ?? Date.now();
  const seen = await source.list(options.retentionMs ?? DEFAULT_RETENTION_MS, now);
  const processes = seen
    .map((p) => ({
      state: p.state,
      lastSeenAt: new Date(p.stoppedAt ?? Date.parse(p.record.publishedAt)).toISOString(),
      record: p.record,
    }))
    .sort((a, b) => roleOrder(a.record) - roleOrder(b.record) || a.record.id.localeCompare(b.record.id));
  return { generatedAt: new Date(now).toISOString(), summary: summarize(seen, now, options), processes };
}

/** Parses a fleet received as JSON (from `GET /fleet`). */
export const fleetSchema = z.object({
  generatedAt: z.string(),
  summary: z.object({
    status: z.enum(['healthy', 'degraded', 'failing']),
    reasons: z.array(z.string()),
  }),
  processes: z.array(
    z.object({
      state: z.enum(['live', 'gone', 'stopped']),
      lastSeenAt: z.string(),
      record: statusRecordSchema,
    }),
  ),
});
