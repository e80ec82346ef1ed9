/**
 * Composition root of the loader: config from LOADER_* (or flags), then the loader and its status
 * record (lib/status), until SIGTERM/SIGINT.
 *
 *   LOADER_KAFKA_BROKERS=127.0.0.1:19092 LOADER_EXECUTIVE_URL=http://127.0.0.1:7070 … cuttle loader
 */
import { Closer, service } from '../../lib/lifecycle.ts';
import { isEntryPoint, runService, type ServiceEntry } from '../../lib/service-main.ts';
import { openStatusStore, startStatusPublisher } from '../../lib/status/status-config.ts';
import { loadLoaderConfig, loaderOptions, type LoaderConfig } from './config.ts';
import { createLoader } from './loader.ts';
import { loaderReport } from './status-report.ts';
import { writerSecretsFrom } from './writer-secrets.ts';

export const loaderEntry: ServiceEntry<LoaderConfig> = {
  name: 'loader',
  envPrefix: 'LOADER',
  options: loaderOptions,
  summary: 'Loads Debezium change topics into the ledger through the executive, exactly once.',
  loadConfig: loadLoaderConfig,
  create: (config, log) => {
    const loader = createLoader(config, {
      log,
      writerSecrets: writerSecretsFrom(process.env, config.writerSecretsDir),
    });
    const status = new Closer(log);
    return Promise.resolve(
      service(
        'loader',
        async () => {
          await loader.start();
          const store = openStatusStore(config, config.redisUrl, undefined, status);
          await startStatusPublisher(config, store, loaderReport(loader), log, status);
        },
        async () => {
          await status.close(); // the record goes first: a graceful stop shows as stopped
          await loader.stop();
        },
      ),
    );
  },
};

if (isEntryPoint(import.meta.url))
  process.exitCode = await runService(loaderEntry, process.argv.slice(2), process.env);
