/** Child processes for fault tests: the real reflector (services/reflector/main.ts) and helpers. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs a TypeScript file with tsx in a new Node process, from the repository root. */
export function spawnTs(
  file: string,
  args: readonly string[] = [],
  env: Record<string, string> = {},
): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Starts the reflector service with REFLECTOR_* settings. */
export function spawnReflector(env: Record<string, string>): ChildProcess {
  return spawnTs('services/reflector/main.ts', [], {
    REFLECTOR_PORT: '0',
    REFLECTOR_LOG_LEVEL: 'warn',
    ...env,
  });
}

/** Collects a child's stdout; resolves with it when the child exits. */
export function outputOf(child: ChildProcess): Promise<string> {
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  return once(child, 'exit').then(() => out);
}

export async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}
