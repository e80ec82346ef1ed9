/**
 * The workload on the fleet's origin: planned transactions (workload-plan.ts) at a steady rate,
 * each committed with a marker row in `chaos_commits` (a table the source does not capture), so
 * that a commit whose acknowledgement was lost (origin restarted mid-commit) is read back and
 * counted exactly once or not at all. Rolled-back transactions and an occasional ADD COLUMN are
 * part of the mix.
 */
import type { Connection } from 'mysql2/promise';
import type { Fleet } from '../fleet/description.ts';
import { connectOrigin, ensureOriginSchema } from '../fleet/origin-schema.ts';
import type { Rng } from './rng.ts';
import { emptyCounts, keyString, type CommittedTx, type WorkloadCounts } from './truth.ts';
import { OriginModel, Planner, type PlannedTx } from './workload-plan.ts';

export interface WorkloadOptions {
  readonly rng: Rng;
  /** Transactions per second. */
  readonly rate: number;
  readonly durationMs: number;
  /** Add one column to items during this run. */
  readonly addColumn: boolean;
  readonly onCommit: (tx: CommittedTx) => void;
  readonly log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function loadModel(db: Connection): Promise<OriginModel> {
  const model = new OriginModel();
  const [items] = await db.query('SELECT id, ver FROM items');
  for (const row of items as { id: string; ver: string }[]) model.items.set(String(row.id), String(row.ver));
  const [groups] = await db.query('SELECT DISTINCT grp FROM tx_groups');
  for (const row of groups as { grp: number }[]) model.groups.add(Number(row.grp));
  const [columns] = await db.query(
    `SELECT column_name AS name FROM information_schema.columns
     WHERE table_schema = DATABASE() AND table_name = 'items' AND column_name LIKE 'x\\_%' ORDER BY ordinal_position`,
  );
  for (const row of columns as { name: string }[]) model.extraColumns.push(row.name);
  return model;
}

export class Workload {
  readonly counts: WorkloadCounts = emptyCounts();
  readonly #fleet: Fleet;
  readonly #options: WorkloadOptions;
  #db: Connection | null = null;
  #txSeq = 0;
  readonly #tag = `${Date.now().toString(36)}${process.pid.toString(36)}`;

  constructor(fleet: Fleet, options: WorkloadOptions) {
    this.#fleet = fleet;
    this.#options = options;
  }

  async run(signal: AbortSignal): Promise<void> {
    await ensureOriginSchema(this.#fleet);
    const db = await this.#connect(signal);
    await db.query(
      'CREATE TABLE IF NOT EXISTS chaos_commits (txid VARCHAR(64) NOT NULL PRIMARY KEY, at BIGINT NOT NULL)',
    );
    const model = await loadModel(db);
    const planner = new Planner(this.#options.rng, model, BigInt(Date.now()) * 1_000_000n);
    const { rate, durationMs } = this.#options;
    const start = Date.now();
    const columnAt = this.#options.addColumn ? start + this.#options.rng.int(0, durationMs) : Infinity;
    let done = 0;
    while (!signal.aborted && Date.now() - start < durationMs) {
      if (Date.now() >= columnAt && this.counts.addedColumns === 0) await this.#addColumn(model, signal);
      await this.#runTx(planner.plan(), signal);
      done++;
      // A steady rate; after an outage, carry on from now rather than catching up in a burst.
      const due = start + (done * 1000) / rate;
      if (due > Date.now()) await sleep(due - Date.now());
      else done = Math.floor(((Date.now() - start) * rate) / 1000);
    }
    await this.#close();
  }

  async #connect(signal: AbortSignal): Promise<Connection> {
    while (this.#db === null) {
      try {
        this.#db = await connectOrigin(this.#fleet);
      } catch {
        if (signal.aborted) throw new Error('workload stopped while the origin was down');
        await sleep(500);
      }
    }
    return this.#db;
  }

  async #close(): Promise<void> {
    const db = this.#db;
    this.#db = null;
    await db?.end().catch(() => db.destroy());
  }

  #dropConnection(): void {
    this.#db?.destroy();
    this.#db = null;
  }

  async #runTx(tx: PlannedTx, signal: AbortSignal): Promise<void> {
    if (tx.statements.length === 0) return;
    const txid = `${this.#tag}-${++this.#txSeq}`;
    let commitSent = false;
    try {
      const db = await this.#connect(signal);
      await db.query('BEGIN');
      for (const s of tx.statements) await db.query(s.sql, [...s.params]);
      if (tx.rollback) {
        await db.query('ROLLBACK');
        this.counts.rolledBack++;
        return;
      }
      await db.query('INSERT INTO chaos_commits (txid, at) VALUES (?, ?)', [txid, Date.now()]);
      commitSent = true;
      await db.query('COMMIT');
      this.#committed(tx, txid);
    } catch (err) {
      this.#dropConnection();
      if (tx.rollback) return;
      // The connection broke: the transaction committed only if its marker row is there.
      if (commitSent) this.counts.ambiguous++;
      if (await this.#markerExists(txid, signal)) this.#committed(tx, txid);
      else {
        this.counts.failed++;
        if (!isConnectionError(err)) this.#options.log(`workload: transaction failed: ${String(err)}`);
      }
    }
  }

  #committed(tx: PlannedTx, txid: string): void {
    tx.commit();
    this.counts.committed++;
    this.counts.changes += tx.effects.length;
    this.#options.onCommit({ id: txid, effects: tx.effects, committedAtMs: Date.now() });
  }

  async #markerExists(txid: string, signal: AbortSignal): Promise<boolean> {
    for (;;) {
      try {
        const db = await this.#connect(signal);
        const [rows] = await db.query('SELECT 1 FROM chaos_commits WHERE txid = ?', [txid]);
        return (rows as unknown[]).length > 0;
      } catch {
        this.#dropConnection();
        await sleep(500);
      }
    }
  }

  async #addColumn(model: OriginModel, signal: AbortSignal): Promise<void> {
    const name = `x_${keyString([this.#tag, String(model.extraColumns.length)]).replace(/[^a-z0-9]/g, '_')}`;
    for (let attempt = 0; attempt < 20 && !signal.aborted; attempt++) {
      try {
        const db = await this.#connect(signal);
        await db.query(`ALTER TABLE items ADD COLUMN IF NOT EXISTS \`${name}\` VARCHAR(40) NULL`);
        model.extraColumns.push(name);
        this.counts.addedColumns++;
        this.#options.log(`workload: added column items.${name}`);
        return;
      } catch {
        this.#dropConnection();
        await sleep(500);
      }
    }
  }
}

function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; fatal?: boolean };
  return (
    e.fatal === true ||
    ['ECONNREFUSED', 'ECONNRESET', 'PROTOCOL_CONNECTION_LOST', 'EPIPE'].includes(e.code ?? '')
  );
}
