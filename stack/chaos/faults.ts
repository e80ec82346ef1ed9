/**
 * The fault schedule: from a seed, which faults hit a run and when; and how each is injected
 * and followed by the restart an init system (systemd-style) would do.
 */
import { startStack } from '../fleet/control.ts';
import type { Fleet } from '../fleet/description.ts';
import { fleetMembers, type Member } from '../fleet/members.ts';
import { killMember, startMember } from '../fleet/processes.ts';
import { stopComponent, type Component } from './components.ts';
import type { Rng } from './rng.ts';

export const FAULT_KINDS = [
  'kill-cuttle',
  'kill-kafka',
  'kill-connect',
  'kill-redis',
  'kill-s3',
  'restart-origin',
  'restart-ctldb',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Relative weights: cuttle processes are nine targets, so they get a larger share. */
const WEIGHTS: Readonly<Record<FaultKind, number>> = {
  'kill-cuttle': 4,
  'kill-kafka': 1,
  'kill-connect': 1.5,
  'kill-redis': 1,
  'kill-s3': 0.7,
  'restart-origin': 1,
  'restart-ctldb': 1,
};

export interface PlannedFault {
  readonly kind: FaultKind;
  /** ms after the workload started. */
  readonly atMs: number;
  /** The cuttle process, for kill-cuttle. */
  readonly member?: string;
}

export interface FaultRecord extends PlannedFault {
  readonly startedAt: string;
  readonly pid?: number;
  /** ms from the kill until the restart command returned. */
  readonly restartMs: number;
  readonly error?: string;
}

function pickKind(rng: Rng, kinds: readonly FaultKind[]): FaultKind {
  const total = kinds.reduce((n, k) => n + WEIGHTS[k], 0);
  let roll = rng.next() * total;
  for (const kind of kinds) {
    roll -= WEIGHTS[kind];
    if (roll < 0) return kind;
  }
  return kinds[0] ?? 'kill-cuttle';
}

/** `a,b,c` as fault kinds, each checked. */
export function parseFaultKinds(text: string): FaultKind[] {
  const kinds = text.split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0 || kinds.length === 0)
    throw new Error(`--kinds: unknown fault kind(s) ${unknown.join(', ')}; known: ${FAULT_KINDS.join(',')}`);
  return kinds as FaultKind[];
}

/** `count` faults spread over the workload (from 10% to 80% of it, at least 8 s apart). */
export function planFaults(
  rng: Rng,
  fleet: Fleet,
  durationMs: number,
  count: number,
  kinds: readonly FaultKind[] = FAULT_KINDS,
): PlannedFault[] {
  const members = fleetMembers(fleet).map((m) => m.id);
  const start = durationMs * 0.1;
  const span = durationMs * 0.7;
  const slot = span / Math.max(1, count);
  const faults: PlannedFault[] = [];
  for (let i = 0; i < count; i++) {
    const kind = pickKind(rng, kinds);
    const atMs = Math.round(start + i * slot + rng.next() * Math.max(0, slot - 8000));
    faults.push(kind === 'kill-cuttle' ? { kind, atMs, member: rng.pick(members) } : { kind, atMs });
  }
  return faults;
}

const COMPONENT_OF: Partial<Record<FaultKind, Component>> = {
  'kill-kafka': 'kafka',
  'kill-connect': 'connect',
  'kill-redis': 'redis',
  'kill-s3': 's3',
  'restart-origin': 'origin',
  'restart-ctldb': 'mysql',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FaultHooks {
  readonly log: (line: string) => void;
  /** The supervisor leaves this member alone while the fault handles it. */
  readonly hold: (id: string, held: boolean) => void;
}

/** Injects one fault and restarts what it stopped; resolves once the restart command returned. */
export async function injectFault(
  fleet: Fleet,
  fault: PlannedFault,
  hooks: FaultHooks,
): Promise<FaultRecord> {
  const startedAt = new Date().toISOString();
  const began = Date.now();
  try {
    if (fault.kind === 'kill-cuttle') {
      const member = fleetMembers(fleet).find((m) => m.id === fault.member) as Member;
      hooks.hold(member.id, true);
      try {
        const pid = await killMember(fleet, member);
        // systemd's RestartSec: a short pause before the new process.
        await sleep(1000);
        startMember(fleet, member);
        return { ...fault, startedAt, ...(pid === undefined ? {} : { pid }), restartMs: Date.now() - began };
      } finally {
        hooks.hold(member.id, false);
      }
    }
    const component = COMPONENT_OF[fault.kind] as Component;
    hooks.hold(component, true);
    try {
      const hard = fault.kind.startsWith('kill-');
      const pid = await stopComponent(fleet, component, hard);
      await sleep(hard ? 1000 : 2000);
      await startStack(fleet, hooks.log);
      return { ...fault, startedAt, pid, restartMs: Date.now() - began };
    } finally {
      hooks.hold(component, false);
    }
  } catch (err) {
    return { ...fault, startedAt, restartMs: Date.now() - began, error: String(err) };
  }
}
