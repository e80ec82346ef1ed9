/**
 * compose/docker-compose.yml stays valid and keeps reading stack/'s own files: `docker-compose
 * config` (Debian's docker-compose; no Docker engine needed) resolves it, and the resolved file
 * mounts stack/config and stack/jvm rather than copies of them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const composeFile = join(root, 'compose/docker-compose.yml');

function compose(...args: string[]): string {
  try {
    return execFileSync('docker-compose', ['-f', composeFile, ...args], { encoding: 'utf8', cwd: root });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('docker-compose not found: apt-get install docker-compose (.ci/run installs it)', {
        cause: error,
      });
    }
    throw error;
  }
}

describe('compose/docker-compose.yml', () => {
  const resolved = compose('config');

  it('validates and defines every component of the stack', () => {
    expect(() => compose('config', '-q')).not.toThrow();
    const services = compose('config', '--services').trim().split('\n').sort();
    expect(services).toEqual([
      'connect',
      'jvm-artifacts',
      'kafka',
      'mysql',
      'origin',
      'redis',
      'registry',
      's3',
    ]);
  });

  it('mounts the configuration files and poms that stack/ uses, all of which exist', () => {
    const hostPaths = [...resolved.matchAll(/^\s*- (\/[^:\s]+):\/[^\s]*$/gm)].map((m) => m[1] ?? '');
    expect(hostPaths).toEqual(
      expect.arrayContaining([
        join(root, 'stack/config'),
        join(root, 'stack/jvm'),
        join(root, 'stack/config/origin-mariadb/origin.cnf'),
        join(root, 'stack/config/origin-mariadb/init.sql'),
      ]),
    );
    for (const path of hostPaths) expect(existsSync(path), path).toBe(true);
  });

  it('gives the registry the settings of stack/config/apicurio/apicurio.env', () => {
    const settings = readFileSync(join(root, 'stack/config/apicurio/apicurio.env'), 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line));
    expect(settings.length).toBeGreaterThan(0);
    for (const line of settings) {
      const [key, value] = line.split('=', 2) as [string, string];
      const quoted = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(resolved).toMatch(new RegExp(`\\b${key}: ['"]?${quoted}['"]?\\n`));
    }
  });

  it('runs the s3rver version that package.json pins', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(resolved).toContain(`s3rver@${pkg.devDependencies.s3rver}`);
  });
});
