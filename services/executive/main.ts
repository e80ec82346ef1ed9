/**
 * Composition root of the executive: config -> logger -> executive, run until SIGTERM/SIGINT.
 *
 *   EXECUTIVE_CTLDB_URL=mysql://root@127.0.0.1:3306/cuttle EXECUTIVE_ADMIN_TOKEN=… cuttle executive
 */
import { CuttleError } from '../../lib/errors.ts';
import { isEntryPoint, runService, type ServiceEntry } from '../../lib/service-main.ts';
import { createExecutive } from './app.ts';
import { executiveOptions, loadExecutiveConfig, type ExecutiveConfig } from './config.ts';

export const executiveEntry: ServiceEntry<ExecutiveConfig> = {
  name: 'executive',
  envPrefix: 'EXECUTIVE',
  options: executiveOptions,
  summary: 'The only writer of ctldb: schema, writers, exactly-once mutations, the ledger, limits.',
  loadConfig: (environment, argv) => {
    const config = loadExecutiveConfig(environment, argv);
    // Only an in-process composition (the embedded mode) may invent a token; a deployed executive is given one.
    if (config.adminToken === undefined) {
      throw new CuttleError('CONFIG_INVALID', 'EXECUTIVE_ADMIN_TOKEN (or --admin-token) is required');
    }
    return config;
  },
  create: async (config, log) => (await createExecutive(config, { log })).service,
};

if (isEntryPoint(import.meta.url))
  process.exitCode = await runService(executiveEntry, process.argv.slice(2), process.env);
