/**
 * compose/docker-compose.yml stays valid, keeps reading stack/'s own files, and configures
 * cuttle's services completely: `docker-compose config` (Debian's docker-compose; no Docker engine
 * needed) resolves it; the resolved file mounts stack/config and stack/jvm rather than copies of
 * them; and each cuttle service's environment passes that service's own configuration loader.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envName } from '../../../lib/config.ts';
import type { ServiceEntry } from '../../../lib/service-main.ts';
import { executiveEntry } from '../../../services/executive/main.ts';
import { loaderEntry } from '../../../services/loader/main.ts';
import { reflectorEntry } from '../../../services/reflector/main.ts';
import { supervisorEntry } from '../../../services/supervisor/main.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const composeFile = join(root, 'compose/docker-compose.yml');
/** What `up` must be given (compose refuses to start without them). */
const REQUIRED_SETTINGS = { CUTTLE_ADMIN_TOKEN: 'compose-admin', CUTTLE_LOADER_SECRET: 'compose-loader' };
const CUTTLE_SERVICES: readonly ServiceEntry<{ readonly logLevel: string }>[] = [
  executiveEntry,
  loaderEntry,
  reflectorEntry,
  supervisorEntry,
];

interface ResolvedService {
  readonly image?: string;
  readonly command?: readonly string[];
  readonly environment?: Record<string, string>;
  readonly networks?: Record<string, unknown>;
  readonly healthcheck?: { readonly test?: readonly string[] };
  readonly build?: { readonly dockerfile?: string };
}

function compose(...args: string[]): string {
  try {
    return execFileSync('docker-compose', ['-f', composeFile, ...args], {
      encoding: 'utf8',
      cwd: root,
      env: { ...process.env, ...REQUIRED_SETTINGS },
    });
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
      'cli',
      'connect',
      'executive',
      'jvm-artifacts',
      'kafka',
      'loader',
      'mysql',
      'origin',
      'redis',
      'reflector',
      'registry',
      's3',
      'supervisor',
    ]);
  });

  it('refuses to resolve without the admin token and the loader secret, naming them', () => {
    const env = { ...process.env };
    delete env.CUTTLE_ADMIN_TOKEN;
    delete env.CUTTLE_LOADER_SECRET;
    expect(() =>
      execFileSync('docker-compose', ['-f', composeFile, 'config', '-q'], { cwd: root, env, stdio: 'pipe' }),
    ).toThrow(/set CUTTLE_(ADMIN_TOKEN|LOADER_SECRET)/);
  });

  describe.each(CUTTLE_SERVICES.map((entry) => [entry.name, entry] as const))('cuttle %s', (name, entry) => {
    const services = (parse(resolved) as { services: Record<string, ResolvedService> }).services;
    const service = services[name] ?? {};
    const environment = service.environment ?? {};

    it('runs the compiled image on the compose network, with a healthcheck', () => {
      expect(service.build?.dockerfile).toBe('compose/Dockerfile');
      expect(service.command).toEqual([name]);
      expect(Object.keys(service.networks ?? {})).toEqual(['cuttle']);
      expect(service.healthcheck?.test?.join(' ')).toMatch(/fetch\('http:\/\/127\.0\.0\.1:\d+\/\w+'\)/);
    });

    it('sets every variable the service requires, and each passes its configuration loader', () => {
      expect(() => entry.loadConfig(environment, [])).not.toThrow();
    });

    it('sets no variable of its prefix that the service does not know (a misspelt one is ignored)', () => {
      const known = new Set(Object.keys(entry.options).map((o) => envName(entry.envPrefix, o)));
      const own = Object.keys(environment).filter((v) => v.startsWith(`${entry.envPrefix}_`));
      expect(own.filter((v) => !known.has(v))).toEqual([]);
    });

    it('listens on every interface of its container, so its published port answers', () => {
      const host = Object.entries(environment).find(([k]) => /_(HTTP_)?HOST$/.test(k))?.[1];
      expect(host).toBe('0.0.0.0');
    });
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

  it('gives the registry the settings of stack/config/apicurio/apicurio.env, listening on the network', () => {
    const settings = readFileSync(join(root, 'stack/config/apicurio/apicurio.env'), 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => line.split('=', 2) as [string, string]);
    expect(settings.length).toBeGreaterThan(0);
    const services = (parse(resolved) as { services: Record<string, ResolvedService> }).services;
    const environment = services.registry?.environment ?? {};
    for (const [key, value] of settings)
      expect(environment[key], key).toBe(key === 'QUARKUS_HTTP_HOST' ? '0.0.0.0' : value);
  });

  it('builds the image from files that exist, with the build script package.json defines', () => {
    const dockerfile = readFileSync(join(root, 'compose/Dockerfile'), 'utf8');
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      (m[1] ?? '').split(' '),
    );
    expect(copied).toEqual(expect.arrayContaining(['package-lock.json', 'lib', 'services', 'cli']));
    for (const path of copied) expect(existsSync(join(root, path)), path).toBe(true);
    expect(dockerfile).toMatch(/RUN npm ci .*\n/);
    expect(dockerfile).toContain('npm run build');
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "\/cuttle\/dist\/cli\/main\.js"\]/);
  });

  it('runs the s3rver version that package.json pins', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(resolved).toContain(`s3rver@${pkg.devDependencies.s3rver}`);
  });
});
