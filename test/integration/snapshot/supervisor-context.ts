/**
 * Supervisors under test: an in-process s3rver, a SQLite ledger (test/support/ledger-fixture.ts)
 * that a background appender keeps writing to, and supervisor apps built from SUPERVISOR_*
 * settings exactly as main.ts builds them.
 */
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessLedgerNotifier } from '../../../lib/ledger/notifier.ts';
import { sleep } from '../../../lib/lifecycle.ts';
import type { TableSchema } from '../../../lib/schema/types.ts';
import { listCatalog } from '../../../lib/snapshot/catalog.ts';
import type { Manifest } from '../../../lib/snapshot/manifest.ts';
import { openSnapshotStore } from '../../../lib/snapshot/open-store.ts';
import type { SnapshotStore } from '../../../lib/snapshot/store.ts';
import { createSupervisorApp, type SupervisorApp } from '../../../services/supervisor/app.ts';
import { loadSupervisorConfig } from '../../../services/supervisor/config.ts';
import { op, openLedgerFixture, type LedgerFixture } from '../../support/ledger-fixture.ts';
import { stackEnv } from '../../support/stack-env.ts';
import { startTestS3, type TestS3Server } from './s3-server.ts';

export const settings: TableSchema = {
  family: 'snap',
  table: 'settings',
  fields: [
    { name: 'id', type: 'integer' },
    { name: 'value', type: 'text' },
  ],
  keyFields: ['id'],
};

/** Where snapshots go: an in-process s3rver, or the stack's S3 (a separate process). */
interface S3Target {
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  stop(): Promise<void>;
}

async function s3Target(kind: 'in-process' | 'stack'): Promise<S3Target> {
  if (kind === 'stack') {
    return {
      endpoint: stackEnv.s3Endpoint,
      bucket: stackEnv.s3Bucket,
      accessKeyId: stackEnv.s3AccessKeyId,
      secretAccessKey: stackEnv.s3SecretAccessKey,
      stop: () => Promise.resolve(),
    };
  }
  const server: TestS3Server = await startTestS3();
  return { ...server, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', stop: () => server.stop() };
}

export class SupervisorTestContext {
  readonly id = randomBytes(4).toString('hex');
  readonly notifier = new InProcessLedgerNotifier();
  readonly apps: SupervisorApp[] = [];
  readonly #s3: S3Target;
  readonly ledger: LedgerFixture;
  readonly dir: string;
  readonly store: SnapshotStore;
  #nextId = 1;

  private constructor(s3: S3Target, ledger: LedgerFixture, dir: string) {
    this.#s3 = s3;
    this.ledger = ledger;
    this.dir = dir;
    this.store = openSnapshotStore(this.#storeUrl(), this.s3Settings());
  }

  static async open(s3Kind: 'in-process' | 'stack' = 'in-process'): Promise<SupervisorTestContext> {
    const s3 = await s3Target(s3Kind);
    const ledger = await openLedgerFixture('sqlite');
    const ctx = new SupervisorTestContext(s3, ledger, await mkdtemp(join(tmpdir(), 'cuttle-supervisor-')));
    await ctx.ledger.append([op.createTable(settings)]);
    return ctx;
  }

  /** Appends one batch of `rows` upserts of `valueBytes` each and wakes the followers. */
  async appendBatch(rows: number, valueBytes = 100): Promise<number> {
    const entries = Array.from({ length: rows }, () =>
      op.upsert(settings, { id: BigInt(this.#nextId++), value: randomBytes(valueBytes / 2).toString('hex') }),
    );
    const { lastSeq } = await this.ledger.append(entries);
    this.notifier.published(lastSeq);
    return lastSeq;
  }

  /** Starts a supervisor named `name`; settings override the test defaults (SUPERVISOR_* names). */
  async startSupervisor(name: string, overrides: Record<string, string> = {}): Promise<SupervisorApp> {
    const config = loadSupervisorConfig({
      SUPERVISOR_CTLDB: this.ledger.address,
      SUPERVISOR_SNAPSHOT_URL: this.#storeUrl(),
      SUPERVISOR_S3_ENDPOINT: this.#s3.endpoint,
      SUPERVISOR_S3_ACCESS_KEY_ID: this.#s3.accessKeyId,
      SUPERVISOR_S3_SECRET_ACCESS_KEY: this.#s3.secretAccessKey,
      SUPERVISOR_SLOT_KEY_PREFIX: `cuttle:test:${this.id}`,
      SUPERVISOR_LDB_PATH: join(this.dir, name, 'ldb.db'),
      SUPERVISOR_MAKER_ID: name,
      SUPERVISOR_INTERVAL_MS: '1000',
      SUPERVISOR_TICK_MS: '20',
      SUPERVISOR_EVERY_ENTRIES: '0',
      SUPERVISOR_POLL_INTERVAL_MS: '50',
      SUPERVISOR_KEEP: '1000',
      SUPERVISOR_PORT: '0',
      ...overrides,
    });
    const app = await createSupervisorApp(config, { wake: this.notifier });
    this.apps.push(app);
    return app;
  }

  /** Every published manifest, oldest first. */
  async manifests(): Promise<Manifest[]> {
    const entries = await listCatalog(this.store);
    return entries.flatMap((e) => (e.ok ? [e.manifest] : [])).reverse();
  }

  async waitUntil(what: string, predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(10);
    }
  }

  async dispose(): Promise<void> {
    for (const app of this.apps) await app.close();
    await this.store.delete(await this.store.list(''));
    await this.store.close();
    await this.ledger.close();
    await this.#s3.stop();
    await rm(this.dir, { recursive: true, force: true });
    const redis = new Redis(stackEnv.redisUrl);
    const keys = await redis.keys(`cuttle:test:${this.id}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }

  get storeUrl(): string {
    return this.#storeUrl();
  }

  #storeUrl(): string {
    return `s3://${this.#s3.bucket}/supervisor-${this.id}`;
  }

  s3Settings(): { endpoint: string; accessKeyId: string; secretAccessKey: string } {
    const { endpoint, accessKeyId, secretAccessKey } = this.#s3;
    return { endpoint, accessKeyId, secretAccessKey };
  }
}
