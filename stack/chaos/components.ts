/**
 * The fleet's private stack components as the fault schedule touches them: found by the pid
 * files stack/up.sh writes under the fleet's stack folder, and only signalled when the process's
 * command line proves it is the fleet's (the shared stack on the default ports is never touched).
 * Restarting is what an init system would do: stack/up.sh with the fleet's environment starts
 * whatever is down.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackEnv, type Fleet } from '../fleet/description.ts';

export const COMPONENTS = ['mysql', 'redis', 'origin', 's3', 'kafka', 'registry', 'connect'] as const;
export type Component = (typeof COMPONENTS)[number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stackDir(fleet: Fleet): string {
  return stackEnv(fleet).CUTTLE_STACK_DIR ?? join(fleet.dataDir, 'stack');
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** The pid of the fleet's own process for `component`, or undefined when it is not running. */
export function componentPid(fleet: Fleet, component: Component): number | undefined {
  const file = join(stackDir(fleet), 'run', `${component}.pid`);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const line = cmdline(pid);
  const redisPort = new URL(fleet.stack.redisUrl).port;
  const ours = component === 'redis' ? line.includes(`:${redisPort}`) : line.includes(stackDir(fleet));
  return ours ? pid : undefined;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** kill -9 (`hard`) or a clean stop (SIGTERM, SIGKILL after 60 s). Returns the pid signalled. */
export async function stopComponent(fleet: Fleet, component: Component, hard: boolean): Promise<number> {
  const pid = componentPid(fleet, component);
  if (pid === undefined) throw new Error(`the fleet's ${component} is not running`);
  process.kill(pid, hard ? 'SIGKILL' : 'SIGTERM');
  if (!(await waitGone(pid, hard ? 10_000 : 60_000))) {
    process.kill(pid, 'SIGKILL');
    await waitGone(pid, 10_000);
  }
  return pid;
}

/** Starts what is down in the fleet's stack (stack/up.sh), retrying as an init system would. */
export function downComponents(fleet: Fleet): Component[] {
  return COMPONENTS.filter((c) => componentPid(fleet, c) === undefined);
}
