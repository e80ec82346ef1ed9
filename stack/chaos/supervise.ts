/**
 * What an init system and an operator do while the chaos run goes:
 *
 * - systemd-style `Restart=always`: a cuttle process that exited by itself is started again, and
 *   a stack component that died by itself is brought back with stack/up.sh. Each is counted
 *   (`selfExits`): a process that exits on its own under faults is worth a look.
 * - manual recoveries: a Kafka Connect connector or task in state FAILED is restarted through
 *   Connect's REST API, as an operator would. Each one is counted and listed in the report,
 *   because each one is a gap to close.
 */
import { startStack } from '../fleet/control.ts';
import type { Fleet } from '../fleet/description.ts';
import { fleetMembers } from '../fleet/members.ts';
import { pidOf, startMember } from '../fleet/processes.ts';
import { COMPONENTS, componentPid } from './components.ts';

/**
 * One manual recovery: restarts of a FAILED Connect connector or task until it stays up. Restarts
 * less than a minute apart (the origin still down, say) are attempts of one recovery.
 */
export interface ManualRecovery {
  readonly at: string;
  readonly kind: 'connect-connector-restart' | 'connect-task-restart';
  readonly detail: string;
  attempts: number;
  lastAtMs: number;
}

/** An operator does not hammer the restart button: at most one restart per this many ms. */
const RESTART_SPACING_MS = 5000;
const SAME_INCIDENT_MS = 60_000;

interface ConnectorStatus {
  readonly connector?: { readonly state?: string; readonly trace?: string };
  readonly tasks?: readonly { readonly id: number; readonly state?: string; readonly trace?: string }[];
}

const firstLine = (trace: string | undefined) => (trace ?? '').split('\n')[0]?.slice(0, 300) ?? '';

export class Supervisor {
  readonly selfExits: Record<string, number> = {};
  readonly recoveries: ManualRecovery[] = [];
  readonly #fleet: Fleet;
  readonly #log: (line: string) => void;
  readonly #held = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(fleet: Fleet, log: (line: string) => void) {
    this.#fleet = fleet;
    this.#log = log;
  }

  /** A fault owns this member or component until released. */
  hold(id: string, held: boolean): void {
    if (held) this.#held.add(id);
    else this.#held.delete(id);
  }

  start(periodMs = 2000): void {
    this.#timer = setInterval(() => void this.tick(), periodMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async tick(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      await this.#restartStack();
      this.#restartMembers();
      await this.#recoverConnect();
    } catch (err) {
      this.#log(`supervisor: ${String(err)}`);
    } finally {
      this.#busy = false;
    }
  }

  #count(id: string): void {
    this.selfExits[id] = (this.selfExits[id] ?? 0) + 1;
  }

  #restartMembers(): void {
    for (const member of fleetMembers(this.#fleet)) {
      if (this.#held.has(member.id) || pidOf(this.#fleet, member) !== undefined) continue;
      this.#count(member.id);
      this.#log(`supervisor: ${member.id} exited by itself; restarting it`);
      startMember(this.#fleet, member);
    }
  }

  async #restartStack(): Promise<void> {
    if (this.#held.size > 0 && COMPONENTS.some((c) => this.#held.has(c))) return;
    const down = COMPONENTS.filter((c) => componentPid(this.#fleet, c) === undefined);
    if (down.length === 0) return;
    for (const c of down) this.#count(c);
    this.#log(`supervisor: ${down.join(', ')} exited by itself; stack/up.sh`);
    await startStack(this.#fleet, this.#log);
  }

  async #recoverConnect(): Promise<void> {
    const base = `${this.#fleet.stack.connectUrl}/connectors/${this.#fleet.source.name}`;
    let status: ConnectorStatus;
    try {
      const response = await fetch(`${base}/status`, { signal: AbortSignal.timeout(3000) });
      if (!response.ok) return;
      status = (await response.json()) as ConnectorStatus;
    } catch {
      return;
    }
    const failedTasks = (status.tasks ?? []).filter((t) => t.state === 'FAILED');
    if (status.connector?.state !== 'FAILED' && failedTasks.length === 0) return;
    const kind = failedTasks.length > 0 ? 'connect-task-restart' : 'connect-connector-restart';
    const detail = firstLine(failedTasks[0]?.trace ?? status.connector?.trace);
    const now = Date.now();
    const last = this.recoveries.at(-1);
    if (last !== undefined && now - last.lastAtMs < RESTART_SPACING_MS) return;
    if (last !== undefined && now - last.lastAtMs < SAME_INCIDENT_MS) {
      last.attempts++;
      last.lastAtMs = now;
    } else
      this.recoveries.push({ at: new Date(now).toISOString(), kind, detail, attempts: 1, lastAtMs: now });
    this.#log(`manual recovery: ${kind} (${detail})`);
    await fetch(`${base}/restart?includeTasks=true&onlyFailed=true`, {
      method: 'POST',
      signal: AbortSignal.timeout(10_000),
    }).catch((err: unknown) => this.#log(`manual recovery failed: ${String(err)}`));
  }
}
