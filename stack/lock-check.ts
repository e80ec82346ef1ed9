/**
 * Checks that the installed packages are exactly the locked ones, for `.ci/run`'s fallback when
 * `npm ci` refuses the lock (the registry reached from these machines has served different sets
 * of other platforms' optional packages over time, and npm 11 refuses a lock that lacks some).
 *
 * What matters is what runs here: every package installed in node_modules has the name, place
 * and version the committed lock gives it, and every package the lock requires on this platform
 * is installed. The lock file's text is not compared, so entries for other platforms may come
 * and go.
 *
 *   node --import tsx stack/lock-check.ts <committed package-lock.json> node_modules/.package-lock.json
 */
import { readFileSync } from 'node:fs';
import { isEntryPoint } from '../lib/service-main.ts';

export interface LockedPackage {
  readonly version?: string;
  readonly optional?: boolean;
  readonly link?: boolean;
  readonly os?: readonly string[];
  readonly cpu?: readonly string[];
  readonly libc?: readonly string[];
}

export interface Lockfile {
  readonly packages: Readonly<Record<string, LockedPackage>>;
}

export interface Platform {
  readonly os: string;
  readonly cpu: string;
  /** 'glibc' or 'musl' on Linux; undefined elsewhere. */
  readonly libc?: string;
}

/** npm's `os`/`cpu`/`libc` lists: names, or `!name` exclusions. */
function allows(list: readonly string[] | undefined, value: string | undefined): boolean {
  if (list === undefined || list.length === 0) return true;
  if (value === undefined) return list.every((entry) => entry.startsWith('!'));
  if (list.includes(`!${value}`)) return false;
  return list.some((entry) => entry === value) || list.every((entry) => entry.startsWith('!'));
}

export function runsOn(pkg: LockedPackage, platform: Platform): boolean {
  return allows(pkg.os, platform.os) && allows(pkg.cpu, platform.cpu) && allows(pkg.libc, platform.libc);
}

/** Every way `installed` differs from `locked` that matters on `platform`; empty when it matches. */
export function compareInstalled(locked: Lockfile, installed: Lockfile, platform: Platform): string[] {
  const problems: string[] = [];
  for (const [path, pkg] of Object.entries(installed.packages)) {
    if (path === '') continue;
    const want = locked.packages[path];
    if (want === undefined) problems.push(`${path}@${pkg.version ?? '?'} is installed but not locked`);
    else if (want.version !== pkg.version)
      problems.push(`${path} is installed at ${pkg.version ?? '?'} but locked at ${want.version ?? '?'}`);
  }
  for (const [path, pkg] of Object.entries(locked.packages)) {
    if (path === '' || path in installed.packages) continue;
    // An optional package npm could not fetch is allowed to be missing only for another platform.
    if (runsOn(pkg, platform) && (pkg.optional !== true || pkg.os !== undefined || pkg.cpu !== undefined))
      problems.push(`${path}@${pkg.version ?? '?'} is locked for this platform but not installed`);
  }
  return problems;
}

export function currentPlatform(): Platform {
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
  const libc = process.platform !== 'linux' ? undefined : header?.glibcVersionRuntime ? 'glibc' : 'musl';
  return { os: process.platform, cpu: process.arch, ...(libc === undefined ? {} : { libc }) };
}

function main(args: readonly string[]): number {
  const [lockedPath, installedPath] = args;
  if (lockedPath === undefined || installedPath === undefined) {
    console.error('usage: lock-check <committed package-lock.json> <node_modules/.package-lock.json>');
    return 2;
  }
  const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Lockfile;
  const problems = compareInstalled(read(lockedPath), read(installedPath), currentPlatform());
  for (const problem of problems) console.error(`lock-check: ${problem}`);
  if (problems.length === 0) console.log('lock-check: every installed package is exactly as locked');
  return problems.length === 0 ? 0 : 1;
}

if (isEntryPoint(import.meta.url)) process.exitCode = main(process.argv.slice(2));
