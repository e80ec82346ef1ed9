/**
 * `cuttle deadletters list | show | retry | drop`: the loader's dead-letter queue (BullMQ in
 * Redis). `retry` and `drop` record the request; the loader holding the letter's source carries
 * it out within a few seconds (a halted partition resumes; a skipped event is replayed once).
 */
import { Command, Option } from 'commander';
import { BullmqDeadLetterStore } from '../../lib/dead-letters/bullmq-dead-letter-adapter.ts';
import { notFound, type DeadLetterStore, type StoredLetter } from '../../lib/dead-letters/dead-letter.ts';
import { renderTable, type CliContext } from '../context.ts';

interface StoreOptions {
  readonly redis: string;
  readonly prefix: string;
}

function withStoreOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--redis <url>', 'Redis holding the dead-letter queue')
        .env('CUTTLE_REDIS_URL')
        .default('redis://127.0.0.1:6379'),
    )
    .addOption(
      new Option('--prefix <prefix>', 'BullMQ key prefix (the loaders’ LOADER_DEAD_LETTER_PREFIX)')
        .env('CUTTLE_DEAD_LETTER_PREFIX')
        .default('bull'),
    );
}

async function withStore<T>(options: StoreOptions, use: (store: DeadLetterStore) => Promise<T>): Promise<T> {
  const store = new BullmqDeadLetterStore({ redisUrl: options.redis, prefix: options.prefix });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** The record's value as text: JSON when it is, else base64. */
function valueText(letter: StoredLetter): string | null {
  if (letter.value === null) return null;
  const bytes = Buffer.from(letter.value, 'base64');
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : letter.value;
}

export function deadlettersCommand(ctx: CliContext): Command {
  const command = new Command('deadletters').description("inspect, replay or drop the loader's dead letters");
  withStoreOptions(command.command('list').description('dead letters, oldest first')).action(
    async (options: StoreOptions) => {
      const letters = await withStore(options, (store) => store.list());
      ctx.print(letters, () =>
        renderTable(
          ['ID', 'SOURCE', 'POLICY', 'CODE', 'REQUEST', 'AT', 'REASON'],
          letters.map((l) => [
            l.id,
            l.source,
            l.policy,
            l.code,
            l.request,
            new Date(l.atMs).toISOString(),
            l.reason.slice(0, 80),
          ]),
        ),
      );
    },
  );
  withStoreOptions(
    command.command('show').description('one dead letter with its record').argument('<id>'),
  ).action(async (id: string, options: StoreOptions) => {
    const letter = await withStore(
      options,
      async (store) => (await store.get(id)) ?? Promise.reject(notFound(id)),
    );
    const shown = { ...letter, valueText: valueText(letter) };
    ctx.print(shown, () => JSON.stringify(shown, null, 2));
  });
  for (const [verb, description] of [
    ['retry', 'resume the halted partition at this event, or replay a skipped event once'],
    ['drop', 'give the event up: a halted partition resumes after it'],
  ] as const) {
    withStoreOptions(command.command(verb).description(description).argument('<id>')).action(
      async (id: string, options: StoreOptions) => {
        const letter = await withStore(options, (store) => store.request(id, verb));
        ctx.print(
          letter,
          () => `${verb} requested for ${id}; the loader holding ${letter.topic} acts on it shortly`,
        );
      },
    );
  }
  return command;
}
