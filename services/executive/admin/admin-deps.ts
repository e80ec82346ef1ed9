/**
 * What the admin page's routes need beyond the rest of the API: the loaders' dead-letter queue
 * (BullMQ in the executive's Redis, only when EXECUTIVE_REDIS_URL is set) and the sources admin
 * (with Kafka Connect when EXECUTIVE_CONNECT_URL is set). Whatever is opened here closes with
 * the executive.
 */
import { BullmqDeadLetterStore } from '../../../lib/dead-letters/bullmq-dead-letter-adapter.ts';
import type { DeadLetterStore } from '../../../lib/dead-letters/dead-letter.ts';
import type { Closer } from '../../../lib/lifecycle.ts';
import { ConnectClient } from '../../../lib/sources/connect-client.ts';
import type { ExecutiveConfig } from '../config.ts';
import type { MutationService } from '../mutations/mutation-service.ts';
import type { ReadService } from '../reads/read-service.ts';
import { SourcesAdmin } from './sources-admin.ts';

export interface AdminDeps {
  readonly deadLetters: DeadLetterStore | undefined;
  readonly sources: SourcesAdmin;
}

export function adminDeps(
  config: Pick<ExecutiveConfig, 'redisUrl' | 'deadLetterPrefix' | 'connectUrl'>,
  services: { readonly reads: ReadService; readonly mutations: MutationService },
  owned: Closer,
): AdminDeps {
  let deadLetters: DeadLetterStore | undefined;
  if (config.redisUrl !== undefined) {
    const store = new BullmqDeadLetterStore({ redisUrl: config.redisUrl, prefix: config.deadLetterPrefix });
    owned.add(() => store.close());
    deadLetters = store;
  }
  const connect = config.connectUrl === undefined ? undefined : new ConnectClient(config.connectUrl);
  return { deadLetters, sources: new SourcesAdmin(services.reads, services.mutations, connect) };
}
