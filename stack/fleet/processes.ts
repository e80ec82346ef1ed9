/**
 * The fleet's cuttle processes as an init system would run them: each is `node dist/cli/main.js
 * <role>` (the production entry point) in its own session, its output appended to
 * <dataDir>/logs/<id>.log, its pid in <dataDir>/run/<id>.pid. A pid counts as the member's only
 * while its command line is still that member's, so a recycled pid is never signalled.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, type Fleet } from './description.ts';
import type { Member } from './members.ts';

export const ENTRY_POINT = join(REPO_ROOT, 'dist/cli/main.js');
/** Set in each member's environment: names the process for pidOf (and for ps e). */
const MEMBER_VARIABLE = 'CUTTLE_FLEET_MEMBER';

const pidFile = (fleet: Fleet, id: string) => join(fleet.dataDir, 'run', `${id}.pid`);
export const logFile = (fleet: Fleet, id: string) => join(fleet.dataDir, 'logs', `${id}.log`);

/** The process's command line and environment, as /proc shows them (NUL-separated). */
function procText(pid: number, what: 'cmdline' | 'environ'): string[] {
  try {
    return readFileSync(`/proc/${pid}/${what}`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** The member's live pid, or undefined. */
export function pidOf(fleet: Fleet, member: Member): number | undefined {
  const file = pidFile(fleet, member.id);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const ours =
    procText(pid, 'cmdline').join(' ').includes(`${ENTRY_POINT} ${member.role}`) &&
    procText(pid, 'environ').includes(`${MEMBER_VARIABLE}=${member.id}`);
  return ours ? pid : undefined;
}

/** Starts the member unless it runs; returns its pid. */
export function startMember(fleet: Fleet, member: Member): number {
  const running = pidOf(fleet, member);
  if (running !== undefined) return running;
  mkdirSync(join(fleet.dataDir, 'run'), { recursive: true });
  mkdirSync(join(fleet.dataDir, 'logs'), { recursive: true });
  const log = openSync(logFile(fleet, member.id), 'a');
  try {
    const child = spawn(process.execPath, [ENTRY_POINT, member.role], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, ...member.env, [MEMBER_VARIABLE]: member.id },
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`${member.id} did not start`);
    writeFileSync(pidFile(fleet, member.id), `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

export function signalMember(fleet: Fleet, member: Member, signal: NodeJS.Signals): number | undefined {
  const pid = pidOf(fleet, member);
  if (pid !== undefined) process.kill(pid, signal);
  return pid;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopMember(fleet: Fleet, member: Member, graceMs = 30_000): Promise<void> {
  const pid = signalMember(fleet, member, 'SIGTERM');
  if (pid !== undefined) {
    const deadline = Date.now() + graceMs;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
  }
  rmSync(pidFile(fleet, member.id), { force: true });
}

/** kill -9, as a crash; resolves once the process is gone. */
export async function killMember(fleet: Fleet, member: Member): Promise<number | undefined> {
  const pid = signalMember(fleet, member, 'SIGKILL');
  while (pid !== undefined && alive(pid)) await new Promise((r) => setTimeout(r, 20));
  return pid;
}

export async function isReady(member: Member, timeoutMs = 2000): Promise<boolean> {
  try {
    const response = await fetch(member.readyUrl, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok;
  } catch {
    return false;
  }
}

export async function waitReady(fleet: Fleet, member: Member, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isReady(member))) {
    if (pidOf(fleet, member) === undefined)
      throw new Error(`${member.id} exited before it was ready; see ${logFile(fleet, member.id)}`);
    if (Date.now() > deadline)
      throw new Error(`${member.id} not ready after ${timeoutMs} ms; see ${logFile(fleet, member.id)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
