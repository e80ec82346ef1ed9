/**
 * Status options every service spreads into its option table (env <PREFIX>_STATUS_*), and the
 * one function that turns them into a running publisher.
 */
import { env, type ConfigOf } from '../config.ts';
import type { Closer } from '../lifecycle.ts';
import type { Logger } from '../logging.ts';
import { StatusPublisher } from './publisher.ts';
import type { RoleReport } from './record.ts';
import { RedisStatusStore } from './redis-status-adapter.ts';
import type { StatusStore } from './store.ts';

export const statusOptions = {
  statusRedisUrl: {
    schema: env.optional(),
    description:
      "Redis the process publishes its status record to, for `cuttle status` (default: the service's redisUrl; without either, no record is published).",
  },
  statusIntervalMs: {
    schema: env.int(2000, 100),
    description: 'How often the status record is published, in ms; it lapses after three intervals.',
  },
  statusKeyPrefix: {
    schema: env.string('cuttle:status'),
    description: 'Prefix of the status keys in Redis (one per cuttle installation).',
  },
  statusId: {
    schema: env.optional(),
    description: 'Name of this process in the fleet view (default: <host>:<pid>).',
  },
} as const;

export type StatusConfig = ConfigOf<typeof statusOptions>;

/**
 * The store a service publishes to: the one given (the embedded mode shares one in process), else
 * Redis when a URL is configured (closed with `owned`), else none.
 */
export function openStatusStore(
  config: StatusConfig,
  fallbackRedisUrl: string | undefined,
  given: StatusStore | undefined,
  owned: Closer,
): StatusStore | undefined {
  if (given !== undefined) return given;
  const url = config.statusRedisUrl ?? fallbackRedisUrl;
  if (url === undefined) return undefined;
  const store = new RedisStatusStore(url, { prefix: config.statusKeyPrefix });
  owned.add(() => store.close());
  return store;
}

/**
 * Starts publishing `report` to `store` (nothing when there is no store); stopping `owned`
 * removes the record first (it was added last, so it is closed first).
 */
export async function startStatusPublisher(
  config: StatusConfig,
  store: StatusStore | undefined,
  report: () => RoleReport | Promise<RoleReport>,
  log: Logger,
  owned: Closer,
): Promise<StatusPublisher | undefined> {
  if (store === undefined) return undefined;
  const publisher = new StatusPublisher(
    { sink: store, report, log: log.child({ component: 'status' }) },
    {
      intervalMs: config.statusIntervalMs,
      ...(config.statusId === undefined ? {} : { id: config.statusId }),
    },
  );
  await publisher.start();
  owned.add(() => publisher.stop());
  return publisher;
}
