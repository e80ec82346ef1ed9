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
  const { redisUrl, deadLetterPrefix: prefix } = config;
  const deadLetters =
    redisUrl === undefined
      ? undefined
      : lazyStore(() => new BullmqDeadLetterStore({ redisUrl, prefix }), owned);
  const connect = config.connectUrl === undefined ? undefined : new ConnectClient(config.connectUrl);
  return { deadLetters, sources: new SourcesAdmin(services.reads, services.mutations, connect) };
}

/**
 * The queue opened on first use: an executive whose admin page is never opened holds no extra
 * Redis connection (and logs nothing about one while Redis is down).
 */
function lazyStore(open: () => DeadLetterStore, owned: Closer): DeadLetterStore {
  let store: DeadLetterStore | undefined;
  const opened = (): DeadLetterStore => (store ??= open());
  owned.add(() => store?.close());
  return {
    put: (letter) => opened().put(letter),
    list: () => opened().list(),
    get: (id) => opened().get(id),
    request: (id, request) => opened().request(id, request),
    remove: (id) => opened().remove(id),
    close: () => store?.close() ?? Promise.resolve(),
  };
}
