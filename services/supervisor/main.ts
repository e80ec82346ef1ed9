/**
 * The supervisor's composition root: config from SUPERVISOR_* (or flags), then the app, until
 * SIGTERM/SIGINT (which stops the snapshot loop after a snapshot in progress, then the follower).
 *
 *   SUPERVISOR_CTLDB=mysql://root@127.0.0.1:3306/cuttle SUPERVISOR_REDIS_URL=redis://127.0.0.1:6379 \
 *   SUPERVISOR_SNAPSHOT_URL=s3://cuttle/prod SUPERVISOR_S3_ENDPOINT=http://127.0.0.1:14568 \
 *     npx tsx services/supervisor/main.ts --interval-ms 60000
 */
import { ServiceGroup, runUntilSignal, service } from '../../lib/lifecycle.ts';
import { createLogger } from '../../lib/logging.ts';
import { createSupervisorApp } from './app.ts';
import { loadSupervisorConfig } from './config.ts';

const config = loadSupervisorConfig(process.env, process.argv.slice(2));
const log = createLogger({ service: 'supervisor', level: config.logLevel });
try {
  const app = await createSupervisorApp(config, { log });
  const group = new ServiceGroup(log);
  group.add(
    service(
      'supervisor',
      () => Promise.resolve(),
      () => app.close(),
    ),
  );
  await runUntilSignal(group, log);
} catch (err) {
  log.fatal({ err }, 'supervisor failed to start');
  process.exitCode = 1;
}
