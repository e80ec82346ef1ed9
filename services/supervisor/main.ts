/**
 * Composition root of the supervisor: config from SUPERVISOR_* (or flags), then the app, until
 * SIGTERM/SIGINT (which stops the snapshot loop after a snapshot in progress, then the follower).
 *
 *   SUPERVISOR_CTLDB=mysql://root@127.0.0.1:3306/cuttle SUPERVISOR_REDIS_URL=redis://127.0.0.1:6379 \
 *   SUPERVISOR_SNAPSHOT_URL=s3://cuttle/prod SUPERVISOR_S3_ENDPOINT=http://127.0.0.1:14568 \
 *     cuttle supervisor --interval-ms 60000
 */
import { service } from '../../lib/lifecycle.ts';
import { isEntryPoint, runService, type ServiceEntry } from '../../lib/service-main.ts';
import { createSupervisorApp } from './app.ts';
import { loadSupervisorConfig, supervisorOptions, type SupervisorConfig } from './config.ts';

export const supervisorEntry: ServiceEntry<SupervisorConfig> = {
  name: 'supervisor',
  envPrefix: 'SUPERVISOR',
  options: supervisorOptions,
  summary: 'Snapshots a private LDB to S3 (or a folder) on a schedule, with manifests and retention.',
  loadConfig: loadSupervisorConfig,
  create: async (config, log) => {
    const app = await createSupervisorApp(config, { log });
    return service(
      'supervisor',
      () => Promise.resolve(),
      () => app.close(),
    );
  },
};

if (isEntryPoint(import.meta.url))
  process.exitCode = await runService(supervisorEntry, process.argv.slice(2), process.env);
