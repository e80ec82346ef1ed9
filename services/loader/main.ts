/**
 * Composition root of the loader: config from LOADER_* (or flags), then the loader, until
 * SIGTERM/SIGINT.
 *
 *   LOADER_KAFKA_BROKERS=127.0.0.1:19092 LOADER_EXECUTIVE_URL=http://127.0.0.1:7070 … cuttle loader
 */
import { service } from '../../lib/lifecycle.ts';
import { isEntryPoint, runService, type ServiceEntry } from '../../lib/service-main.ts';
import { loadLoaderConfig, loaderOptions, type LoaderConfig } from './config.ts';
import { createLoader } from './loader.ts';
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
    return Promise.resolve(
      service(
        'loader',
        () => loader.start(),
        () => loader.stop(),
      ),
    );
  },
};

if (isEntryPoint(import.meta.url))
  process.exitCode = await runService(loaderEntry, process.argv.slice(2), process.env);
