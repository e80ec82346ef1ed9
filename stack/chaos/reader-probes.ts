/**
 * Sample readers in separate processes (reader-probe.ts), one per reflector LDB, for the length
 * of a run: what they report about partial origin transactions and seqs going backwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { REPO_ROOT, type Fleet } from '../fleet/description.ts';
import { fleetLdbs } from './ldb-watch.ts';

interface Probe {
  readonly id: string;
  readonly child: ChildProcess;
  reads: number;
}

export class ReaderProbes {
  readonly violations: string[] = [];
  readonly #probes: Probe[] = [];

  constructor(fleet: Fleet, intervalMs: number) {
    const reflectors = new Set(fleet.reflectors.map((r) => r.id));
    for (const ldb of fleetLdbs(fleet).filter((l) => reflectors.has(l.id))) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'stack/chaos/reader-probe.ts', ldb.path, fleet.source.family, String(intervalMs)],
        { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const probe: Probe = { id: ldb.id, child, reads: 0 };
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) =>
        this.#onLine(probe, line),
      );
      this.#probes.push(probe);
    }
  }

  #onLine(probe: Probe, line: string): void {
    let event: { type?: string; reads?: number };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return;
    }
    if (event.type === 'reads') probe.reads = event.reads ?? probe.reads;
    else if (this.violations.length < 50) this.violations.push(`reader of ${probe.id}: ${line}`);
  }

  get reads(): number {
    return this.#probes.reduce((n, p) => n + p.reads, 0);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.#probes.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.child.exitCode !== null) return resolve();
            p.child.once('exit', () => resolve());
            p.child.kill('SIGTERM');
          }),
      ),
    );
  }
}
