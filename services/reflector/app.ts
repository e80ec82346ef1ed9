/**
 * `createReflectorApp(config, deps)`: a reflector with its HTTP endpoint, for main.ts and for
 * compositions in one process (the embedded mode, tests, benchmarks). What `deps` provides
 * belongs to the caller; what the app opens (ledger source, Redis subscriber, LDB, HTTP server),
 * close() closes, in reverse order.
 */
import type { FastifyInstance } from 'fastify';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Reflector } from '../../lib/ldb/reflector.ts';
import type { WakeSource } from '../../lib/ldb/wake.ts';
import type { LedgerSource } from '../../lib/ledger/entry.ts';
import { openWakeSource } from '../../lib/ledger/redis-notifier-adapter.ts';
import { openLedgerSource } from '../../lib/ledger/sources/open.ts';
import { Closer, service, type Service } from '../../lib/lifecycle.ts';
import { silentLogger, type Logger } from '../../lib/logging.ts';
import { createRegistry, type Registry } from '../../lib/metrics.ts';
import { openLdb, type LdbReader } from '../../lib/reader/ldb-reader.ts';
import { bootstrapFromStore } from '../../lib/snapshot/bootstrap-from-store.ts';
import { openStatusStore, startStatusPublisher } from '../../lib/status/status-config.ts';
import type { StatusStore } from '../../lib/status/store.ts';
import type { ReflectorConfig } from './config.ts';
import { buildHttp } from './http.ts';
import { registerSidecar } from './sidecar.ts';
import { reflectorReport } from './status-report.ts';

export interface ReflectorAppDeps {
  readonly log?: Logger;
  /** Wake-ups; otherwise Redis when config.redisUrl is set, else polling only. */
  readonly wake?: WakeSource;
  /** The ledger; otherwise opened from config.ctldb (and closed by close()). */
  readonly source?: LedgerSource;
  readonly registry?: Registry;
  /** Where the status record goes; otherwise Redis when configured (lib/status/status-config.ts). */
  readonly statusStore?: StatusStore;
}

export interface ReflectorApp {
  readonly reflector: Reflector;
  /** Where the HTTP endpoint listens. */
  readonly url: string;
  readonly server: FastifyInstance;
  readonly registry: Registry;
  /** Already started; stopping it closes the app (for a ServiceGroup). */
  readonly service: Service;
  close(): Promise<void>;
}

export async function createReflectorApp(
  config: ReflectorConfig,
  deps: ReflectorAppDeps = {},
): Promise<ReflectorApp> {
  const log = deps.log ?? silentLogger();
  const registry = deps.registry ?? createRegistry('reflector');
  const owned = new Closer(log);
  try {
    const wake = await openWakeSource(deps.wake, config.redisUrl, log, owned);
    mkdirSync(dirname(config.ldbPath), { recursive: true });
    if (config.snapshotUrl !== undefined) {
      await bootstrapFromStore({
        url: config.snapshotUrl,
        s3: { endpoint: config.s3Endpoint },
        ldbPath: config.ldbPath,
        log,
      });
    }
    const reflector = Reflector.open({
      ldbPath: config.ldbPath,
      // A source from deps stays the caller's: the reflector closes its source, so wrap it.
      source:
        deps.source === undefined
          ? openLedgerSource(config.ctldb, { queryTimeoutMs: config.queryTimeoutMs })
          : borrowed(deps.source),
      ...(wake === undefined ? {} : { wake }),
      ...(config.changelogPath === undefined
        ? {}
        : {
            changelog: {
              path: config.changelogPath,
              maxBytes: config.changelogMaxBytes,
              keep: config.changelogKeep,
            },
          }),
      checkpoint: {
        passiveEveryBytes: config.walPassiveBytes,
        passiveEveryMs: config.walPassiveMs,
        maxWalBytes: config.walMaxBytes,
      },
      pollIntervalMs: config.pollIntervalMs,
      pollJitter: config.pollJitter,
      blockSize: config.blockSize,
      maxStalenessSeconds: config.maxStalenessSeconds,
      registry,
      log,
    });
    owned.add(() => reflector.stop());
    const server = buildHttp({
      status: () => reflector.status(),
      registry,
      log: log.child({ component: 'http' }),
    });
    let reader: LdbReader | undefined;
    if (config.sidecar) {
      reader = openLdb(config.ldbPath);
      const sidecarReader = reader;
      owned.add(() => sidecarReader.close());
      registerSidecar(server, {
        reader,
        maxRows: config.sidecarMaxRows,
        maxStalenessSeconds: config.maxStalenessSeconds,
      });
    }
    owned.add(() => server.close());
    const url = await server.listen({ host: config.host, port: config.port });
    await reflector.start();
    const statusStore = openStatusStore(config, config.redisUrl, deps.statusStore, owned);
    const report = reflectorReport(() => reflector.status(), config.maxStalenessSeconds);
    await startStatusPublisher(config, statusStore, report, log, owned);
    log.info(
      { url, ldb: config.ldbPath, sidecar: config.sidecar, wakeUps: wake !== undefined },
      'reflector started',
    );
    const close = (): Promise<void> => owned.close();
    return {
      reflector,
      url,
      server,
      registry,
      close,
      service: service('reflector', () => Promise.resolve(), close),
    };
  } catch (err) {
    await owned.close();
    throw err;
  }
}

function borrowed(source: LedgerSource): LedgerSource {
  return {
    readAfter: (after, limit) => source.readAfter(after, limit),
    headSeq: () => source.headSeq(),
    close: () => Promise.resolve(),
  };
}
