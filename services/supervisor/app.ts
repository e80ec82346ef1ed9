/**
 * `createSupervisorApp(config, deps)`: a supervisor with its HTTP endpoint, for main.ts and for
 * compositions in one process (tests, the embedded mode). What the app opens (store, slots,
 * ledger source, Redis subscriber, LDB, HTTP server) close() closes, in reverse order.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { WakeSource } from '../../lib/ldb/wake.ts';
import type { LedgerSource } from '../../lib/ledger/entry.ts';
import { openWakeSource } from '../../lib/ledger/redis-notifier-adapter.ts';
import { openLedgerSource } from '../../lib/ledger/sources/open.ts';
import { Closer } from '../../lib/lifecycle.ts';
import { silentLogger, type Logger } from '../../lib/logging.ts';
import { createRegistry, type Registry } from '../../lib/metrics.ts';
import { openSnapshotStore } from '../../lib/snapshot/open-store.ts';
import type { SnapshotStore } from '../../lib/snapshot/store.ts';
import { openStatusStore, startStatusPublisher } from '../../lib/status/status-config.ts';
import type { StatusStore } from '../../lib/status/store.ts';
import { RedisSnapshotSlots } from './adapters/redis-slots.ts';
import type { SupervisorConfig } from './config.ts';
import { SupervisorHttp } from './http.ts';
import { InProcessSlots, type SnapshotSlots } from './slots.ts';
import { supervisorReport } from './status-report.ts';
import { Supervisor } from './supervisor.ts';

export interface SupervisorAppDeps {
  readonly log?: Logger;
  readonly registry?: Registry;
  /** Wake-ups; otherwise Redis when config.redisUrl is set, else polling only. */
  readonly wake?: WakeSource;
  /** The ledger; otherwise opened from config.ctldb. The supervisor closes it on stop. */
  readonly source?: LedgerSource;
  /** Where the status record goes; otherwise Redis when configured (lib/status/status-config.ts). */
  readonly statusStore?: StatusStore;
}

export interface SupervisorApp {
  readonly supervisor: Supervisor;
  readonly store: SnapshotStore;
  readonly url: string;
  readonly registry: Registry;
  close(): Promise<void>;
}

function openSlots(config: SupervisorConfig): SnapshotSlots {
  return config.redisUrl === undefined
    ? new InProcessSlots()
    : new RedisSnapshotSlots(config.redisUrl, { prefix: config.slotKeyPrefix });
}

export async function createSupervisorApp(
  config: SupervisorConfig,
  deps: SupervisorAppDeps = {},
): Promise<SupervisorApp> {
  const log = deps.log ?? silentLogger();
  const registry = deps.registry ?? createRegistry('supervisor');
  const owned = new Closer(log);
  try {
    const store = openSnapshotStore(config.snapshotUrl, {
      endpoint: config.s3Endpoint,
      region: config.s3Region,
      accessKeyId: config.s3AccessKeyId,
      secretAccessKey: config.s3SecretAccessKey,
    });
    owned.add(() => store.close());
    const slots = openSlots(config);
    owned.add(() => slots.close());
    const wake = await openWakeSource(deps.wake, config.redisUrl, log, owned);
    mkdirSync(dirname(config.ldbPath), { recursive: true });
    const source = deps.source ?? openLedgerSource(config.ctldb);
    const supervisor = await Supervisor.open(
      { store, slots, source, ...(wake === undefined ? {} : { wake }), registry, log },
      { ...config, workDir: config.workDir ?? join(dirname(config.ldbPath), 'snapshot-work') },
    );
    owned.add(() => supervisor.stop());
    const http = new SupervisorHttp(supervisor, registry, { host: config.host, port: config.port });
    owned.add(() => http.stop());
    await http.start();
    await supervisor.start();
    const statusStore = openStatusStore(config, config.redisUrl, deps.statusStore, owned);
    await startStatusPublisher(
      config,
      statusStore,
      supervisorReport(supervisor, config.intervalMs),
      log,
      owned,
    );
    const url = `http://${config.host}:${http.port}`;
    log.info(
      { url, ldb: config.ldbPath, store: store.location, bootstrap: supervisor.bootstrap.outcome },
      'supervisor started',
    );
    return { supervisor, store, url, registry, close: () => owned.close() };
  } catch (err) {
    await owned.close();
    throw err;
  }
}
