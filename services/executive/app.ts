/**
 * `createExecutive(config, deps)`: the executive assembled and listening, for main.ts and for
 * compositions in one process (the embedded mode, tests, benchmarks). Whatever `deps` provides
 * (ctldb, limiter, notifier) belongs to the caller and is not closed by `close()`; whatever the
 * executive opens itself, it closes.
 */
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import type { Ctldb } from '../../lib/ctldb/dialect.ts';
import { openCtldb } from '../../lib/ctldb/open.ts';
import { CuttleError } from '../../lib/errors.ts';
import { InProcessLedgerNotifier, type LedgerNotifier } from '../../lib/ledger/notifier.ts';
import { RedisLedgerNotifier } from '../../lib/ledger/redis-notifier-adapter.ts';
import { Closer, service, type Service } from '../../lib/lifecycle.ts';
import { silentLogger, type Logger } from '../../lib/logging.ts';
import { openStatusStore, startStatusPublisher } from '../../lib/status/status-config.ts';
import { InProcessStatusStore, type StatusStore } from '../../lib/status/store.ts';
import { BullmqHeartbeat } from './adapters/bullmq-heartbeat-adapter.ts';
import { RedisAuthCounter } from './adapters/redis-auth-throttle-adapter.ts';
import { adminDeps } from './admin/admin-deps.ts';
import { Catalog } from './catalog/catalog.ts';
import type { ExecutiveConfig } from './config.ts';
import {
  LocalHeartbeat,
  heartbeatWriter,
  noHeartbeat,
  type HeartbeatScheduler,
} from './heartbeat/heartbeat.ts';
import { Auth } from './http/auth.ts';
import { buildServer } from './http/server.ts';
import { startExecutiveLimits } from './limits/executive-limits.ts';
import type { Limiter } from './limits/limiter.ts';
import { limitsModeOf } from './limits/limits-config.ts';
import { createExecutiveMetrics, type ExecutiveMetrics } from './metrics.ts';
import { MutationService } from './mutations/mutation-service.ts';
import { registerReadinessMetric } from './readiness-metric.ts';
import { ReadService } from './reads/read-service.ts';
import { SchemaService } from './schema/schema-service.ts';
import { executiveReport } from './status-report.ts';
import { LocalAuthThrottle, SharedAuthThrottle, type AuthThrottle } from './writers/auth-throttle.ts';
import { WriterAuthenticator } from './writers/writer-auth.ts';
import { WriterStore } from './writers/writer-store.ts';

export interface ExecutiveDeps {
  readonly log?: Logger;
  /** An open, migrated ctldb; otherwise the executive opens one from the config. */
  readonly ctldb?: Ctldb;
  /** @defaultValue the limiter config.limitsMode selects (services/executive/limits/executive-limits.ts) */
  readonly limiter?: Limiter;
  /** @defaultValue Redis when config.redisUrl is set, else an in-process notifier */
  readonly notifier?: LedgerNotifier;
  readonly metrics?: ExecutiveMetrics;
  /** BullMQ key prefix of the heartbeat scheduler (tests isolate themselves with it). */
  readonly bullmqPrefix?: string;
  /**
   * Where status records go and `GET /fleet` reads them (the embedded mode shares one in process).
   * @defaultValue Redis when config.statusRedisUrl or config.redisUrl is set, else this process only
   */
  readonly statusStore?: StatusStore;
}

export interface Executive {
  readonly url: string;
  readonly adminToken: string;
  readonly ctldb: Ctldb;
  readonly notifier: LedgerNotifier;
  readonly metrics: ExecutiveMetrics;
  /** For `inject()` in tests. */
  readonly server: FastifyInstance;
  /** Already started; stopping it closes the executive (for a ServiceGroup). */
  readonly service: Service;
  close(): Promise<void>;
}

async function ctldbFrom(config: ExecutiveConfig): Promise<Ctldb> {
  if (config.ctldbDriver === 'mysql') {
    if (config.ctldbUrl === undefined)
      throw new CuttleError('CONFIG_INVALID', 'EXECUTIVE_CTLDB_URL is required with the mysql driver');
    return openCtldb({ driver: 'mysql', url: config.ctldbUrl, connectionLimit: config.ctldbConnections });
  }
  if (config.ctldbPath === undefined)
    throw new CuttleError('CONFIG_INVALID', 'EXECUTIVE_CTLDB_PATH is required with the sqlite driver');
  return openCtldb({ driver: 'sqlite', path: config.ctldbPath });
}

function heartbeatOf(
  config: ExecutiveConfig,
  deps: ExecutiveDeps,
  beat: ReturnType<typeof heartbeatWriter>,
  log: Logger,
): HeartbeatScheduler {
  if (config.heartbeatIntervalMs === 0) return noHeartbeat;
  if (config.redisUrl === undefined) return new LocalHeartbeat(beat, config.heartbeatIntervalMs);
  const options = {
    redisUrl: config.redisUrl,
    intervalMs: config.heartbeatIntervalMs,
    ...(deps.bullmqPrefix === undefined ? {} : { prefix: deps.bullmqPrefix }),
  };
  return new BullmqHeartbeat(options, beat, log);
}

/** Failed authentications counted in Redis when the executive has one, in-process otherwise. */
function authThrottleOf(config: ExecutiveConfig): AuthThrottle {
  const options = { maxFailures: config.authFailureLimit, windowMs: config.authFailureWindowMs };
  if (config.redisUrl === undefined) return new LocalAuthThrottle(options);
  return new SharedAuthThrottle(new RedisAuthCounter(config.redisUrl, config.authKeyPrefix), options);
}

export async function createExecutive(config: ExecutiveConfig, deps: ExecutiveDeps = {}): Promise<Executive> {
  const log = deps.log ?? silentLogger();
  const owned = new Closer(log);
  const ctldb = deps.ctldb ?? (await ctldbFrom(config));
  if (deps.ctldb === undefined) owned.add(() => ctldb.close());
  const notifier =
    deps.notifier ??
    (config.redisUrl === undefined
      ? new InProcessLedgerNotifier()
      : new RedisLedgerNotifier(config.redisUrl, log));
  if (deps.notifier === undefined) owned.add(() => notifier.close());
  try {
    const metrics = deps.metrics ?? createExecutiveMetrics();
    const catalog = new Catalog(ctldb);
    const { registry } = metrics;
    const limitsEngine = await startExecutiveLimits(config, {
      ctldb,
      catalog,
      log,
      registry,
      limiter: deps.limiter,
      redisUrl: config.redisUrl,
    });
    owned.add(() => limitsEngine.stop());
    const limiter = limitsEngine.limiter;
    registerReadinessMetric(registry, { ctldb, limiter });
    const writers = new WriterStore(ctldb);
    const authenticator = new WriterAuthenticator(writers, authThrottleOf(config));
    owned.add(() => authenticator.close());
    const adminToken = config.adminToken ?? randomBytes(24).toString('base64url');
    const statusStore =
      openStatusStore(config, config.redisUrl, deps.statusStore, owned) ?? new InProcessStatusStore();
    const limits = {
      maxBatchMutations: config.maxBatchMutations,
      maxValueBytes: config.maxValueBytes,
      maxRowBytes: config.maxRowBytes,
    };
    const mutations = new MutationService({ ctldb, catalog, limiter, notifier, metrics, limits });
    const reads = new ReadService(ctldb, catalog, config.maxValueBytes);
    const server = await buildServer(
      {
        ctldb,
        auth: new Auth(
          { adminToken, metadataAccess: config.metadataAccess, metricsToken: config.metricsToken },
          authenticator,
        ),
        schema: new SchemaService({ ctldb, catalog, notifier, metrics }),
        writers,
        mutations,
        reads,
        limitSettings: limitsEngine.settings,
        limiter,
        metrics,
        fleet: statusStore,
        ...adminDeps(config, { reads, mutations }, owned),
      },
      { log: log.child({ component: 'http' }), maxBodyBytes: config.maxBodyBytes },
    );
    owned.add(() => server.close());
    const url = await server.listen({ host: config.host, port: config.port });
    const heartbeat = heartbeatOf(config, deps, heartbeatWriter(ctldb, notifier, metrics, log), log);
    await heartbeat.start();
    owned.add(() => heartbeat.stop());
    const report = executiveReport({
      ctldb,
      limiter,
      metrics,
      limitsMode: limitsModeOf(config, config.redisUrl),
      url,
    });
    await startStatusPublisher(config, statusStore, report, log, owned);
    const close = (): Promise<void> => owned.close();
    log.info({ url, ctldb: ctldb.dialect.name }, 'executive listening');
    return {
      url,
      adminToken,
      ctldb,
      notifier,
      metrics,
      server,
      close,
      service: service('executive', () => Promise.resolve(), close),
    };
  } catch (err) {
    await owned.close();
    throw err;
  }
}
