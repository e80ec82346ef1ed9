/**
 * The fleet's cuttle processes: for each member of the description, its role, readiness URL and
 * the environment it runs with (the same variables a production deployment sets).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ctldbUrl, memberDir, snapshotUrl, type Fleet, type Role } from './description.ts';

export interface Member {
  readonly id: string;
  readonly role: Role;
  readonly port: number;
  readonly url: string;
  /** 200 when the process is ready (the executive's /readyz, the others' /ready). */
  readonly readyUrl: string;
  readonly env: Readonly<Record<string, string>>;
}

/** Secrets the fleet generates once and keeps in its data folder. */
export interface FleetSecrets {
  readonly loaderSecret: string;
}

export function fleetSecrets(fleet: Fleet): FleetSecrets {
  const file = join(fleet.dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as FleetSecrets;
  mkdirSync(fleet.dataDir, { recursive: true });
  const secrets = { loaderSecret: randomBytes(18).toString('base64url') };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

const S3_KEYS = { id: 'S3RVER', secret: 'S3RVER' };

function member(role: Role, id: string, port: number, env: Record<string, string>): Member {
  const url = `http://127.0.0.1:${port}`;
  // The member's id names it in `cuttle status` too (its status record, lib/status).
  const statusId = { [`${role.toUpperCase()}_STATUS_ID`]: id };
  return {
    id,
    role,
    port,
    url,
    readyUrl: `${url}${role === 'executive' ? '/readyz' : '/ready'}`,
    env: { ...statusId, ...env },
  };
}

export function fleetMembers(fleet: Fleet): Member[] {
  const s = fleet.stack;
  const ctldb = ctldbUrl(fleet);
  const executiveUrl = (id: string) => `http://127.0.0.1:${fleet.executives.find((e) => e.id === id)?.port}`;
  const { loaderSecret } = fleetSecrets(fleet);
  return [
    ...fleet.executives.map((e) =>
      member('executive', e.id, e.port, {
        EXECUTIVE_PORT: String(e.port),
        EXECUTIVE_CTLDB_URL: ctldb,
        EXECUTIVE_ADMIN_TOKEN: fleet.adminToken,
        EXECUTIVE_REDIS_URL: s.redisUrl,
        EXECUTIVE_LIMITS_MODE: 'redis',
        EXECUTIVE_HEARTBEAT_INTERVAL_MS: '5000',
      }),
    ),
    ...fleet.loaders.map((l) =>
      member('loader', l.id, l.port, {
        LOADER_BROKERS: s.kafkaBrokers,
        LOADER_GROUP_ID: `cuttle-${fleet.source.name}`,
        LOADER_CLIENT_ID: l.id,
        LOADER_EXECUTIVE_URL: executiveUrl(l.executive),
        LOADER_WRITER: fleet.source.writer,
        LOADER_SECRET: loaderSecret,
        LOADER_REGISTRY_URL: s.registryUrl,
        LOADER_ADMIN_TOKEN: fleet.adminToken,
        LOADER_REDIS_URL: s.redisUrl,
        LOADER_SOURCES_POLL_MS: '1000',
        LOADER_HTTP_PORT: String(l.port),
      }),
    ),
    ...fleet.reflectors.map((r) =>
      member('reflector', r.id, r.port, {
        REFLECTOR_CTLDB: ctldb,
        REFLECTOR_LDB_PATH: join(memberDir(fleet, r.id), 'ldb.db'),
        REFLECTOR_CHANGELOG_PATH: join(memberDir(fleet, r.id), 'changes.ndjson'),
        REFLECTOR_REDIS_URL: s.redisUrl,
        REFLECTOR_SNAPSHOT_URL: snapshotUrl(fleet),
        REFLECTOR_S3_ENDPOINT: s.s3Endpoint,
        // The reflector reads S3 through the AWS default credential chain.
        AWS_ACCESS_KEY_ID: S3_KEYS.id,
        AWS_SECRET_ACCESS_KEY: S3_KEYS.secret,
        AWS_REGION: 'us-east-1',
        REFLECTOR_PORT: String(r.port),
        REFLECTOR_SIDECAR: 'true',
      }),
    ),
    ...fleet.supervisors.map((v) =>
      member('supervisor', v.id, v.port, {
        SUPERVISOR_CTLDB: ctldb,
        SUPERVISOR_SNAPSHOT_URL: snapshotUrl(fleet),
        SUPERVISOR_S3_ENDPOINT: s.s3Endpoint,
        SUPERVISOR_S3_ACCESS_KEY_ID: S3_KEYS.id,
        SUPERVISOR_S3_SECRET_ACCESS_KEY: S3_KEYS.secret,
        SUPERVISOR_REDIS_URL: s.redisUrl,
        SUPERVISOR_SLOT_KEY_PREFIX: `cuttle:snapshot:${fleet.snapshotPrefix}`,
        SUPERVISOR_LDB_PATH: join(memberDir(fleet, v.id), 'ldb.db'),
        SUPERVISOR_WORK_DIR: join(memberDir(fleet, v.id), 'work'),
        SUPERVISOR_INTERVAL_MS: String(v.intervalMs),
        SUPERVISOR_MAKER_ID: v.id,
        SUPERVISOR_PORT: String(v.port),
      }),
    ),
  ];
}
