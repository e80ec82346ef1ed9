/**
 * The soak: the fleet under a steady origin rate with no faults. Every minute it samples RSS and
 * open file descriptors of every cuttle process, the ledger's and the LDBs' growth; it measures
 * origin-to-LDB latency (origin commit acknowledged → the change readable in reflector-1's LDB,
 * polled every 250 ms) and reports its p99 per 5-minute window. It passes when memory stays
 * within 10% of its post-warm-up level, nothing exits by itself, and the end state converges
 * with exactly the origin's effects in the ledger.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openLdb, type LdbReader } from '../../lib/reader/ldb-reader.ts';
import { fleetDown, fleetUp } from '../fleet/control.ts';
import { memberDir, type Fleet } from '../fleet/description.ts';
import { fleetMembers } from '../fleet/members.ts';
import { pidOf } from '../fleet/processes.ts';
import { checkLedgerEffects } from './checks.ts';
import { Ctldb } from './ctldb.ts';
import { LedgerLog } from './replay.ts';
import { Rng } from './rng.ts';
import { rssGrowth } from './rss-growth.ts';
import { waitConverged } from './run.ts';
import { percentile } from './stats.ts';
import { Supervisor } from './supervise.ts';
import type { CommittedTx } from './truth.ts';
import { Workload } from './workload.ts';

export interface SoakOptions {
  readonly minutes: number;
  readonly rate: number;
  readonly build: boolean;
  readonly keepFleet: boolean;
}

interface MinuteSample {
  readonly minute: number;
  readonly rssMiB: Record<string, number>;
  readonly fds: Record<string, number>;
  readonly ledgerHead: number;
  readonly ledgerPerMinute: number;
  readonly ldbMiB: Record<string, number>;
}

export interface SoakReport {
  readonly pass: boolean;
  readonly minutes: number;
  readonly rate: number;
  readonly transactions: number;
  readonly changes: number;
  readonly samples: MinuteSample[];
  readonly latencyP99ByWindowMs: {
    window: string;
    p99: number | null;
    p50: number | null;
    samples: number;
  }[];
  readonly rssGrowthAfterWarmup: Record<string, string>;
  readonly selfExits: Record<string, number>;
  readonly problems: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

function fileBytes(path: string): number {
  return [path, `${path}-wal`].reduce((n, p) => n + (existsSync(p) ? statSync(p).size : 0), 0);
}

/** Origin commit → visible in one LDB, per change, from the ledger entries the LDB's seq passed. */
class LatencyProbe {
  readonly latencies: { atMs: number; ms: number }[] = [];
  readonly #committedAt = new Map<string, number>();
  readonly #log: LedgerLog;
  readonly #ctldb: Ctldb;
  readonly #path: string;
  #reader: LdbReader | undefined;
  #seen: number;

  constructor(log: LedgerLog, ctldb: Ctldb, path: string) {
    this.#log = log;
    this.#ctldb = ctldb;
    this.#path = path;
    this.#seen = log.baseSeq;
  }

  committed(tx: CommittedTx): void {
    for (const e of tx.effects) if (e.ver !== null) this.#committedAt.set(e.ver, tx.committedAtMs);
  }

  async poll(): Promise<void> {
    this.#reader ??= openLdb(this.#path);
    const seq = this.#reader.lastSeq();
    const now = Date.now();
    if (seq <= this.#seen) return;
    if (seq > this.#log.head) await this.#log.refresh(this.#ctldb);
    for (let s = this.#seen + 1; s <= Math.min(seq, this.#log.head); s++) {
      const entry = this.#log.entryAt(s);
      if (entry?.op !== 'upsert') continue;
      const ver = entry.payload.values.ver;
      const at = ver == null ? undefined : this.#committedAt.get(ver);
      if (at !== undefined) {
        this.latencies.push({ atMs: now, ms: now - at });
        this.#committedAt.delete(ver as string);
      }
    }
    this.#seen = Math.min(seq, this.#log.head);
  }

  close(): void {
    this.#reader?.close();
  }
}

function sampleMinute(fleet: Fleet, minute: number, head: number, previousHead: number): MinuteSample {
  const rssMiB: Record<string, number> = {};
  const fds: Record<string, number> = {};
  for (const member of fleetMembers(fleet)) {
    const pid = pidOf(fleet, member);
    if (pid === undefined) continue;
    rssMiB[member.id] = mib(rssBytes(pid));
    fds[member.id] = readdirSync(`/proc/${pid}/fd`).length;
  }
  const ldbMiB: Record<string, number> = {};
  for (const m of [...fleet.reflectors, ...fleet.supervisors])
    ldbMiB[m.id] = mib(fileBytes(join(memberDir(fleet, m.id), 'ldb.db')));
  return { minute, rssMiB, fds, ledgerHead: head, ledgerPerMinute: head - previousHead, ldbMiB };
}

function windows(latencies: { atMs: number; ms: number }[], startMs: number, minutes: number) {
  const width = Math.min(5, minutes);
  const out: SoakReport['latencyP99ByWindowMs'] = [];
  for (let from = 0; from < minutes; from += width) {
    const inWindow = latencies
      .filter((l) => l.atMs >= startMs + from * 60_000 && l.atMs < startMs + (from + width) * 60_000)
      .map((l) => l.ms);
    out.push({
      window: `${from}-${Math.min(minutes, from + width)} min`,
      p99: percentile(inWindow, 99),
      p50: percentile(inWindow, 50),
      samples: inWindow.length,
    });
  }
  return out;
}

export async function soak(
  fleet: Fleet,
  options: SoakOptions,
  say: (line: string) => void,
): Promise<SoakReport> {
  await fleetUp(fleet, { build: options.build }, say);
  const supervisor = new Supervisor(fleet, (line) => say(`  ${line}`));
  supervisor.start();
  const ctldb = new Ctldb(fleet);
  const problems: string[] = [];
  try {
    const unsettled = await waitConverged(fleet, ctldb, 240_000);
    if (unsettled.length > 0)
      throw new Error(`the fleet did not converge before the soak: ${unsettled.join('; ')}`);
    const base = await ctldb.state();
    const log = new LedgerLog(fleet.source.family, base.head, base.tables);
    const probe = new LatencyProbe(
      log,
      ctldb,
      join(memberDir(fleet, fleet.reflectors[0]?.id ?? ''), 'ldb.db'),
    );
    const committed: CommittedTx[] = [];
    const workload = new Workload(fleet, {
      rng: new Rng(`soak-${Date.now()}`),
      rate: options.rate,
      durationMs: options.minutes * 60_000,
      addColumn: false,
      onCommit: (tx) => {
        committed.push(tx);
        probe.committed(tx);
      },
      log: say,
    });
    const startMs = Date.now();
    const samples: MinuteSample[] = [];
    let previousHead = base.head;
    const polling = setInterval(() => void probe.poll().catch(() => undefined), 250);
    const sampling = setInterval(() => {
      void ctldb.head().then((head) => {
        const sample = sampleMinute(fleet, samples.length + 1, head, previousHead);
        previousHead = head;
        samples.push(sample);
        say(
          `soak minute ${sample.minute}: ledger +${sample.ledgerPerMinute}, rss ${JSON.stringify(sample.rssMiB)}, fds ${JSON.stringify(sample.fds)}`,
        );
      });
    }, 60_000);
    const stop = new AbortController();
    await workload.run(stop.signal);
    clearInterval(sampling);
    const unconverged = await waitConverged(fleet, ctldb, 240_000);
    clearInterval(polling);
    await probe.poll().catch(() => undefined);
    probe.close();
    problems.push(...unconverged);
    await log.refresh(ctldb);
    problems.push(...checkLedgerEffects(log, committed));
    const growth = rssGrowth(samples, Math.max(1, Math.round(options.minutes / 6)));
    for (const [id, g] of Object.entries(growth))
      if (Number.parseFloat(g) > 10) problems.push(`${id}: RSS grew ${g} after warm-up`);
    for (const [id, n] of Object.entries(supervisor.selfExits))
      problems.push(`${id} exited by itself ${n} time(s)`);
    return {
      pass: problems.length === 0,
      minutes: options.minutes,
      rate: options.rate,
      transactions: workload.counts.committed,
      changes: workload.counts.changes,
      samples,
      latencyP99ByWindowMs: windows(probe.latencies, startMs, options.minutes),
      rssGrowthAfterWarmup: growth,
      selfExits: supervisor.selfExits,
      problems,
    };
  } finally {
    supervisor.stop();
    await ctldb.close();
    if (!options.keepFleet) await fleetDown(fleet, { stack: true }, say);
    await sleep(0);
  }
}
