/**
 * Composition root of the reflector: config from REFLECTOR_* (or flags), then the app, until
 * SIGTERM/SIGINT.
 *
 *   REFLECTOR_CTLDB=mysql://root@127.0.0.1:3306/cuttle REFLECTOR_REDIS_URL=redis://127.0.0.1:6379 \
 *     cuttle reflector --ldb-path /var/lib/cuttle/ldb.db --sidecar true
 */
import { isEntryPoint, runService, type ServiceEntry } from '../../lib/service-main.ts';
import { createReflectorApp } from './app.ts';
import { loadReflectorConfig, reflectorOptions, type ReflectorConfig } from './config.ts';

export const reflectorEntry: ServiceEntry<ReflectorConfig> = {
  name: 'reflector',
  envPrefix: 'REFLECTOR',
  options: reflectorOptions,
  summary: "Follows the ledger into this host's LDB (SQLite); change feed; optional HTTP read sidecar.",
  loadConfig: loadReflectorConfig,
  create: async (config, log) => (await createReflectorApp(config, { log })).service,
};

if (isEntryPoint(import.meta.url))
  process.exitCode = await runService(reflectorEntry, process.argv.slice(2), process.env);
