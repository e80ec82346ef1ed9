/**
 * Bringing the fleet up and down, and reading its state: the fleet's private stack (stack/up.sh
 * with the description's addresses), its ctldb database, the source the loaders consume, and the
 * cuttle processes in dependency order.
 */
import { createConnection } from 'mysql2/promise';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../../cli/program.ts';
import { REPO_ROOT, stackEnv, type Fleet, type Role } from './description.ts';
import { fleetMembers, fleetSecrets, type Member } from './members.ts';
import { ensureOriginSchema, ORIGIN_TABLES } from './origin-schema.ts';
import { isReady, pidOf, startMember, stopMember, waitReady } from './processes.ts';

const run = promisify(execFile);
const ROLE_ORDER: readonly Role[] = ['executive', 'loader', 'reflector', 'supervisor'];
const READY_TIMEOUT_MS = 120_000;

export type Say = (line: string) => void;

/** Runs a stack script (up.sh, down.sh, status.sh) against the fleet's own stack. */
export async function stackScript(fleet: Fleet, script: 'up' | 'down' | 'status'): Promise<string> {
  const { stdout, stderr } = await run('bash', [join(REPO_ROOT, `stack/${script}.sh`)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...stackEnv(fleet) },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout + stderr;
}

/**
 * stack/up.sh, tried again when it fails: a component that fails to start once (a data directory
 * whose initialisation failed, a port not yet released by a killed process) usually starts on the
 * next try, as it would under an init system's restart policy.
 */
export async function startStack(fleet: Fleet, say: Say, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await stackScript(fleet, 'up');
      return;
    } catch (err) {
      const out = (err as { stderr?: string }).stderr ?? String(err);
      say(`stack/up.sh failed (attempt ${attempt}): ${out.trim().split('\n').slice(-3).join(' | ')}`);
      if (attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  }
}

/** The fleet's stack shares the main stack's JVM jars instead of fetching its own copy. */
function shareJvmJars(fleet: Fleet): void {
  const stackDir = stackEnv(fleet).CUTTLE_STACK_DIR ?? '';
  const main = join(REPO_ROOT, '.stack/jvm');
  mkdirSync(stackDir, { recursive: true });
  if (existsSync(main) && !existsSync(join(stackDir, 'jvm'))) symlinkSync(main, join(stackDir, 'jvm'));
}

async function ensureCtldbDatabase(fleet: Fleet): Promise<void> {
  const conn = await createConnection({ uri: fleet.stack.ctldbUrl });
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${fleet.ctldbDatabase}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
    );
  } finally {
    await conn.end();
  }
}

/** The origin password as a file reference that this process and Kafka Connect both resolve. */
function originPasswordRef(fleet: Fleet): string {
  const file = join(fleet.dataDir, 'origin.properties');
  if (!existsSync(file)) writeFileSync(file, 'password = dbz\n', { mode: 0o600 });
  return `file:${file}:password`;
}

/** Registers the fleet's source once (tables, writer, Debezium connector); a no-op if it exists. */
export async function ensureSource(fleet: Fleet, executiveUrl: string, say: Say): Promise<void> {
  const marker = join(fleet.dataDir, 'source-registered');
  if (existsSync(marker)) return;
  await ensureOriginSchema(fleet);
  const origin = new URL(fleet.stack.originUrl);
  const out: string[] = [];
  const io = { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s) };
  const code = await runCli(
    [
      ...['--executive', executiveUrl, '--admin-token', fleet.adminToken, '--json'],
      ...['sources', 'add', fleet.source.name],
      ...['--origin', `mysql://debezium@${origin.host}/${fleet.source.database}`],
      ...['--password', originPasswordRef(fleet)],
      ...ORIGIN_TABLES.flatMap((t) => ['--table', t]),
      ...['--family', fleet.source.family, '--format', fleet.source.format],
      ...['--schema-changes', 'add-columns'],
      ...['--loader-writer', fleet.source.writer, '--loader-secret', fleetSecrets(fleet).loaderSecret],
      ...['--connect', fleet.stack.connectUrl, '--brokers', fleet.stack.kafkaBrokers],
      ...['--converter-registry', fleet.stack.registryApiUrl],
    ],
    io,
  );
  if (code !== 0) throw new Error(`registering the fleet's source failed:\n${out.join('\n')}`);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  say(`source ${fleet.source.name} registered (${ORIGIN_TABLES.join(', ')} → family ${fleet.source.family})`);
}

export async function startRole(fleet: Fleet, role: Role, say: Say): Promise<void> {
  const members = fleetMembers(fleet).filter((m) => m.role === role);
  for (const member of members) startMember(fleet, member);
  await Promise.all(members.map((m) => waitReady(fleet, m, READY_TIMEOUT_MS)));
  say(`${role}s ready: ${members.map((m) => m.id).join(', ')}`);
}

export interface UpOptions {
  readonly build: boolean;
}

export async function fleetUp(fleet: Fleet, options: UpOptions, say: Say): Promise<void> {
  if (options.build || !existsSync(join(REPO_ROOT, 'dist/cli/main.js'))) {
    say('building dist/ (npm run build)');
    await run('npm', ['run', 'build'], { cwd: REPO_ROOT });
  }
  shareJvmJars(fleet);
  say('fleet stack: starting what is down (stack/up.sh)');
  await startStack(fleet, say);
  await ensureCtldbDatabase(fleet);
  for (const role of ROLE_ORDER) {
    await startRole(fleet, role, say);
    if (role === 'executive') {
      const first = fleetMembers(fleet).find((m) => m.role === 'executive');
      if (first !== undefined) await ensureSource(fleet, first.url, say);
    }
  }
}

export async function fleetDown(fleet: Fleet, options: { stack: boolean }, say: Say): Promise<void> {
  const members = fleetMembers(fleet);
  for (const role of [...ROLE_ORDER].reverse())
    await Promise.all(members.filter((m) => m.role === role).map((m) => stopMember(fleet, m)));
  say('cuttle processes stopped');
  if (options.stack) {
    await stackScript(fleet, 'down');
    say('fleet stack stopped');
  }
}

export interface MemberState {
  readonly member: Member;
  readonly pid: number | undefined;
  readonly ready: boolean;
}

export async function memberStates(fleet: Fleet): Promise<MemberState[]> {
  return Promise.all(
    fleetMembers(fleet).map(async (member) => {
      const pid = pidOf(fleet, member);
      return { member, pid, ready: pid !== undefined && (await isReady(member)) };
    }),
  );
}
