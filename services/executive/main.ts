/** Composition root of the executive: config -> logger -> executive -> run until a signal. */
import { CuttleError } from '../../lib/errors.ts';
import { ServiceGroup, runUntilSignal } from '../../lib/lifecycle.ts';
import { createLogger } from '../../lib/logging.ts';
import { createExecutive } from './app.ts';
import { loadExecutiveConfig } from './config.ts';

const config = loadExecutiveConfig(process.env, process.argv.slice(2));
const log = createLogger({ service: 'executive', level: config.logLevel });
if (config.adminToken === undefined) {
  // Only the in-process (embedded) composition may invent a token; a deployed executive must be given one.
  throw new CuttleError('CONFIG_INVALID', 'EXECUTIVE_ADMIN_TOKEN (or --admin-token) is required');
}
const executive = await createExecutive(config, { log });
const group = new ServiceGroup(log);
group.add(executive.service);
await runUntilSignal(group, log);
