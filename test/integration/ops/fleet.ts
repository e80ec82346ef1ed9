/**
 * A small cuttle fleet in this process, each service built by its own factory exactly as its
 * main.ts builds it and listening on a free port: an executive over a SQLite ctldb, a reflector
 * and a supervisor (snapshots to a folder) following its ledger, and a loader reading the
 * embedded sample's Debezium events. What each serves at /metrics is what a Prometheus
 * scraping that service sees.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startEmbeddedLoader } from '../../../cli/embedded-loader.ts';
import { MemoryDeadLetterSink } from '../../../lib/dead-letters/dead-letter.ts';
import { InProcessLedgerNotifier } from '../../../lib/ledger/notifier.ts';
import { silentLogger } from '../../../lib/logging.ts';
import { createRegistry, type Registry } from '../../../lib/metrics.ts';
import { createExecutive } from '../../../services/executive/app.ts';
import { loadExecutiveConfig } from '../../../services/executive/config.ts';
import { registerPendingDeadLettersMetric } from '../../../services/loader/dead-letters/pending-metric.ts';
import { createLoaderMetrics } from '../../../services/loader/metrics.ts';
import { createReflectorApp } from '../../../services/reflector/app.ts';
import { loadReflectorConfig } from '../../../services/reflector/config.ts';
import { createSupervisorApp } from '../../../services/supervisor/app.ts';
import { loadSupervisorConfig } from '../../../services/supervisor/config.ts';

export interface Fleet {
  /** The /metrics URL of each service, by role. */
  readonly metricsUrls: Readonly<Record<'executive' | 'reflector' | 'loader' | 'supervisor', string>>;
  readonly adminToken: string;
  /** Every metric's label names, from the services' registries (a series without values shows none in /metrics). */
  readonly labelsByMetric: ReadonlyMap<string, ReadonlySet<string>>;
  close(): Promise<void>;
}

/** The loader builds its registry inside createLoader; these are the two modules that fill it. */
function loaderRegistry(): Registry {
  const registry = createRegistry('loader');
  createLoaderMetrics(registry);
  registerPendingDeadLettersMetric(registry, new MemoryDeadLetterSink());
  return registry;
}

function labelsOf(registries: readonly Registry[]): Map<string, Set<string>> {
  const labels = new Map<string, Set<string>>();
  for (const registry of registries) {
    for (const metric of registry.getMetricsAsArray()) {
      const names = (metric as { labelNames?: readonly string[] }).labelNames ?? [];
      labels.set(metric.name, new Set([...(labels.get(metric.name) ?? []), ...names]));
    }
  }
  return labels;
}

export async function startFleet(): Promise<Fleet> {
  const dir = await mkdtemp(join(tmpdir(), 'cuttle-ops-'));
  const closers: (() => Promise<void>)[] = [() => rm(dir, { recursive: true, force: true })];
  const close = async (): Promise<void> => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    const log = silentLogger();
    const notifier = new InProcessLedgerNotifier();
    closers.push(() => notifier.close());
    const ctldbPath = join(dir, 'ctldb.sqlite');
    const executive = await createExecutive(
      { ...loadExecutiveConfig({}), ctldbDriver: 'sqlite', limitsMode: 'local', ctldbPath, port: 0 },
      { log, notifier },
    );
    closers.push(() => executive.close());
    const reflector = await createReflectorApp(
      loadReflectorConfig({
        REFLECTOR_CTLDB: `sqlite:${ctldbPath}`,
        REFLECTOR_LDB_PATH: join(dir, 'reflector', 'ldb.db'),
        REFLECTOR_PORT: '0',
      }),
      { log, wake: notifier },
    );
    closers.push(() => reflector.close());
    const supervisor = await createSupervisorApp(
      loadSupervisorConfig({
        SUPERVISOR_CTLDB: `sqlite:${ctldbPath}`,
        SUPERVISOR_SNAPSHOT_URL: pathToFileURL(join(dir, 'snapshots')).href,
        SUPERVISOR_LDB_PATH: join(dir, 'supervisor', 'ldb.db'),
        SUPERVISOR_PORT: '0',
      }),
      { log, wake: notifier },
    );
    closers.push(() => supervisor.close());
    const loaded = await startEmbeddedLoader({
      executiveUrl: executive.url,
      adminToken: executive.adminToken,
      dataDir: dir,
      httpPort: 0,
      log,
    });
    closers.push(() => loaded.loader.stop());
    if (loaded.statusUrl === undefined) throw new Error('the loader serves no status endpoint');
    return {
      metricsUrls: {
        executive: new URL('/metrics', executive.url).href,
        reflector: new URL('/metrics', reflector.url).href,
        loader: new URL('/metrics', loaded.statusUrl).href,
        supervisor: new URL('/metrics', supervisor.url).href,
      },
      adminToken: executive.adminToken,
      labelsByMetric: labelsOf([
        executive.metrics.registry,
        reflector.registry,
        supervisor.registry,
        loaderRegistry(),
      ]),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
