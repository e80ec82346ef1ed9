/**
 * The fleet description (stack/fleet/fleet.json): every address, port and folder of a
 * production-shaped fleet on one machine, and what each process is started with. `fleet`,
 * `chaos` and the tests read the same file, so a person can start exactly what they run.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_FLEET_FILE = join(REPO_ROOT, 'stack/fleet/fleet.json');

const port = z.number().int().min(1).max(65535);
const member = z.object({ id: z.string().regex(/^[a-z0-9-]+$/), port });

const fleetSchema = z.object({
  dataDir: z.string().min(1),
  adminToken: z.string().min(8),
  stack: z.object({
    ctldbUrl: z.string().startsWith('mysql://'),
    redisUrl: z.string().startsWith('redis://'),
    originUrl: z.string().startsWith('mysql://'),
    kafkaBrokers: z.string().min(1),
    kafkaControllerPort: port,
    connectUrl: z.url(),
    registryUrl: z.url(),
    registryApiUrl: z.url(),
    s3Endpoint: z.url(),
    s3Bucket: z.string().min(3),
  }),
  ctldbDatabase: z.string().regex(/^[a-z0-9_]+$/),
  snapshotPrefix: z.string().regex(/^[a-z0-9-]+$/),
  source: z.object({
    name: z.string().regex(/^[a-z0-9_]+$/),
    database: z.string().regex(/^[a-z0-9_]+$/),
    family: z.string().regex(/^[a-z0-9_]+$/),
    writer: z.string().min(1),
    format: z.enum(['json', 'avro']),
  }),
  executives: z.array(member).min(1),
  loaders: z.array(member.extend({ executive: z.string() })).min(1),
  reflectors: z.array(member).min(1),
  supervisors: z.array(member.extend({ intervalMs: z.number().int().min(1000) })).min(1),
});

export type Fleet = z.infer<typeof fleetSchema> & { readonly file: string };
export type Role = 'executive' | 'loader' | 'reflector' | 'supervisor';

export function loadFleet(file = DEFAULT_FLEET_FILE): Fleet {
  const parsed = fleetSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const dataDir = isAbsolute(parsed.data.dataDir)
    ? parsed.data.dataDir
    : resolve(REPO_ROOT, parsed.data.dataDir);
  const loaders = parsed.data.loaders;
  for (const loader of loaders)
    if (!parsed.data.executives.some((e) => e.id === loader.executive))
      throw new Error(`${file}: ${loader.id} names executive ${loader.executive}, which the fleet lacks`);
  return { ...parsed.data, dataDir, file };
}

/** The CUTTLE_* variables that point the stack scripts (stack/up.sh, down.sh) at the fleet's stack. */
export function stackEnv(fleet: Fleet): Record<string, string> {
  const s = fleet.stack;
  return {
    CUTTLE_STACK_DIR: join(fleet.dataDir, 'stack'),
    CUTTLE_MYSQL_URL: s.ctldbUrl,
    CUTTLE_REDIS_URL: s.redisUrl,
    CUTTLE_ORIGIN_MYSQL_URL: s.originUrl,
    CUTTLE_KAFKA_BROKERS: s.kafkaBrokers,
    CUTTLE_KAFKA_CONTROLLER_PORT: String(s.kafkaControllerPort),
    CUTTLE_CONNECT_URL: s.connectUrl,
    CUTTLE_REGISTRY_URL: s.registryUrl,
    CUTTLE_REGISTRY_API_URL: s.registryApiUrl,
    CUTTLE_S3_ENDPOINT: s.s3Endpoint,
    CUTTLE_S3_BUCKET: s.s3Bucket,
  };
}

/** ctldb as cuttle's services reach it (the fleet's own database on the fleet's MariaDB). */
export function ctldbUrl(fleet: Fleet): string {
  return `${fleet.stack.ctldbUrl.replace(/\/$/, '')}/${fleet.ctldbDatabase}`;
}

export function snapshotUrl(fleet: Fleet): string {
  return `s3://${fleet.stack.s3Bucket}/${fleet.snapshotPrefix}`;
}

export function memberDir(fleet: Fleet, id: string): string {
  return join(fleet.dataDir, 'members', id);
}
