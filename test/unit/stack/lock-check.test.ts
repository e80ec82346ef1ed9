/** stack/lock-check.ts: .ci/run's fallback accepts a lock that only gains other platforms' entries. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  compareInstalled,
  currentPlatform,
  runsOn,
  type LockedPackage,
  type Lockfile,
  type Platform,
} from '../../../stack/lock-check.ts';

const linux: Platform = { os: 'linux', cpu: 'x64', libc: 'glibc' };
const rollupNative = (os: string, cpu: string, libc?: string): LockedPackage => ({
  version: '4.68.7',
  optional: true,
  os: [os],
  cpu: [cpu],
  ...(libc === undefined ? {} : { libc: [libc] }),
});

const committed: Lockfile = {
  packages: {
    '': { version: '0.1.0' },
    'node_modules/zod': { version: '4.6.7' },
    'node_modules/rollup': { version: '4.68.7' },
    'node_modules/@rollup/rollup-linux-x64-gnu': rollupNative('linux', 'x64', 'glibc'),
  },
};
const installed: Lockfile = {
  packages: {
    'node_modules/zod': { version: '4.6.7' },
    'node_modules/rollup': { version: '4.68.7' },
    'node_modules/@rollup/rollup-linux-x64-gnu': { version: '4.68.7' },
  },
};

describe('compareInstalled', () => {
  it('passes when what is installed is exactly the lock', () => {
    expect(compareInstalled(committed, installed, linux)).toEqual([]);
  });

  it('passes a lock that only gains other platforms’ optional entries', () => {
    const grown: Lockfile = {
      packages: {
        ...committed.packages,
        'node_modules/@rollup/rollup-darwin-arm64': rollupNative('darwin', 'arm64'),
        'node_modules/@rollup/rollup-linux-x64-musl': rollupNative('linux', 'x64', 'musl'),
      },
    };
    expect(compareInstalled(grown, installed, linux)).toEqual([]);
  });

  it('fails when an installed package’s version differs from the lock', () => {
    const drifted: Lockfile = {
      packages: { ...installed.packages, 'node_modules/zod': { version: '4.6.8' } },
    };
    expect(compareInstalled(committed, drifted, linux)).toEqual([
      'node_modules/zod is installed at 4.6.8 but locked at 4.6.7',
    ]);
  });

  it('fails when a package is installed that the lock does not list', () => {
    const extra: Lockfile = {
      packages: { ...installed.packages, 'node_modules/left-pad': { version: '1.3.0' } },
    };
    expect(compareInstalled(committed, extra, linux)).toEqual([
      'node_modules/left-pad@1.3.0 is installed but not locked',
    ]);
  });

  it('fails when this platform’s native optional package is missing, not another platform’s', () => {
    const withoutNative: Lockfile = {
      packages: Object.fromEntries(
        Object.entries(installed.packages).filter(([path]) => !path.endsWith('rollup-linux-x64-gnu')),
      ),
    };
    expect(compareInstalled(committed, withoutNative, linux)).toEqual([
      'node_modules/@rollup/rollup-linux-x64-gnu@4.68.7 is locked for this platform but not installed',
    ]);
    expect(compareInstalled(committed, withoutNative, { os: 'darwin', cpu: 'arm64' })).toEqual([]);
  });

  it('reads npm’s exclusions (!name) in os, cpu and libc', () => {
    expect(runsOn({ os: ['!win32'] }, linux)).toBe(true);
    expect(runsOn({ os: ['!linux'] }, linux)).toBe(false);
    expect(runsOn({ libc: ['musl'] }, linux)).toBe(false);
    expect(runsOn({ libc: ['glibc'] }, { os: 'darwin', cpu: 'arm64' })).toBe(false);
  });
});

describe('on this checkout', () => {
  const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Lockfile;
  const lock = read('package-lock.json');
  const tree = read('node_modules/.package-lock.json');
  const platform = currentPlatform();

  it('finds node_modules exactly as package-lock.json locks it', () => {
    expect(compareInstalled(lock, tree, platform)).toEqual([]);
  });

  it('still passes with every other platform’s entry removed from the lock (a registry that serves fewer)', () => {
    const thisPlatformOnly = Object.entries(lock.packages).filter(([, pkg]) => runsOn(pkg, platform));
    expect(thisPlatformOnly.length).toBeLessThan(Object.keys(lock.packages).length);
    expect(compareInstalled({ packages: Object.fromEntries(thisPlatformOnly) }, tree, platform)).toEqual([]);
  });
});
