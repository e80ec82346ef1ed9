/**
 * The reflector's composition root: config from REFLECTOR_* (or flags), then the app, until
 * SIGTERM/SIGINT.
 *
 *   REFLECTOR_CTLDB=mysql://root@127.0.0.1:3306/cuttle REFLECTOR_REDIS_URL=redis://127.0.0.1:6379 \
 *     npx tsx services/reflector/main.ts --ldb-path /var/lib/cuttle/ldb.db --sidecar true
 */
import { ServiceGroup, runUntilSignal } from '../../lib/lifecycle.ts';
import { createLogger } from '../../lib/logging.ts';
import { createReflectorApp } from './app.ts';
import { loadReflectorConfig } from './config.ts';

const config = loadReflectorConfig(process.env, process.argv.slice(2));
const log = createLogger({ service: 'reflector', level: config.logLevel });
try {
  const app = await createReflectorApp(config, { log });
  const group = new ServiceGroup(log);
  group.add(app.service);
  await runUntilSignal(group, log);
} catch (err) {
  log.fatal({ err }, 'reflector failed to start');
  process.exitCode = 1;
}
