/**
 * The stack scripts (stack/lib/env.sh) and the tests (test/support/stack-env.ts) must agree on
 * every default address, or `npm run stack:up` would start services where the tests never look.
 * Both are read in child processes with an empty environment, so a developer's CUTTLE_* variables
 * cannot hide a disagreement.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const cleanEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

const variableOf = {
  mysqlUrl: 'CUTTLE_MYSQL_URL',
  redisUrl: 'CUTTLE_REDIS_URL',
  kafkaBrokers: 'CUTTLE_KAFKA_BROKERS',
  connectUrl: 'CUTTLE_CONNECT_URL',
  registryUrl: 'CUTTLE_REGISTRY_URL',
  registryApiUrl: 'CUTTLE_REGISTRY_API_URL',
  originMysqlUrl: 'CUTTLE_ORIGIN_MYSQL_URL',
  s3Endpoint: 'CUTTLE_S3_ENDPOINT',
  s3Bucket: 'CUTTLE_S3_BUCKET',
} as const;

function bashDefaults(): Record<string, string> {
  const script = `. stack/lib/env.sh; env | grep '^CUTTLE_'`;
  const out = execFileSync('bash', ['-c', script], { cwd: root, env: cleanEnv, encoding: 'utf8' });
  const pairs = out
    .trim()
    .split('\n')
    .map((line): [string, string] => {
      const eq = line.indexOf('=');
      return [line.slice(0, eq), line.slice(eq + 1)];
    });
  return Object.fromEntries(pairs);
}

function tsDefaults(): Record<string, unknown> {
  const code = `import('./test/support/stack-env.ts').then((m) => console.log(JSON.stringify(m.stackEnv)))`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', code], {
    cwd: root,
    env: cleanEnv,
    encoding: 'utf8',
  });
  return JSON.parse(out) as Record<string, unknown>;
}

describe('stack defaults', () => {
  it('are the same in stack/lib/env.sh and test/support/stack-env.ts', () => {
    const bash = bashDefaults();
    const ts = tsDefaults();
    for (const [key, variable] of Object.entries(variableOf)) {
      const value = ts[key];
      expect(bash[variable], variable).toBe(Array.isArray(value) ? value.join(',') : value);
    }
  });
});
