/**
 * `cuttle status`: every executive, loader, reflector and supervisor with its figures, and a
 * summary line (healthy / degraded / failing, with reasons). It reads the status records from
 * Redis with --redis-url (CUTTLE_STATUS_REDIS_URL), otherwise from the executive's GET /fleet
 * (admin token). --watch refreshes every 2 s until Ctrl-C. With --exit-status the exit code is
 * the verdict, for scripts and checks: 0 healthy, 3 degraded, 4 failing (1 and 2 stay "could not
 * read the fleet" and "usage").
 *
 *   cuttle status
 *   cuttle status --redis-url redis://127.0.0.1:6379 --json
 *   cuttle status --watch
 */
import { Command, Option } from 'commander';
import { ensureError } from '../../lib/errors.ts';
import { sleep } from '../../lib/lifecycle.ts';
import { fleetSchema, readFleet, type Fleet } from '../../lib/status/fleet.ts';
import { RedisStatusStore } from '../../lib/status/redis-status-adapter.ts';
import type { CliContext } from '../context.ts';
import { renderFleet } from './status-format.ts';

interface StatusOptions {
  readonly redisUrl?: string;
  readonly keyPrefix: string;
  readonly watch?: boolean;
  readonly exitStatus?: boolean;
  readonly intervalMs: string;
}

const CLEAR_SCREEN = '\x1b[2J\x1b[H';

/** `--exit-status` codes, apart from the CLI's 1 (failure) and 2 (usage). */
export const STATUS_EXIT_CODES = { healthy: 0, degraded: 3, failing: 4 } as const;

async function fromExecutive(ctx: CliContext): Promise<Fleet> {
  return fleetSchema.parse(await ctx.client().request<unknown>('GET', '/fleet'));
}

export function statusCommand(ctx: CliContext): Command {
  return new Command('status')
    .description('the fleet: every process, its figures, and a summary line (admin)')
    .addOption(
      new Option('--redis-url <url>', 'read the status records from this Redis instead of the executive').env(
        'CUTTLE_STATUS_REDIS_URL',
      ),
    )
    .addOption(
      new Option('--key-prefix <prefix>', "prefix of the status keys (the services' *_STATUS_KEY_PREFIX)")
        .env('CUTTLE_STATUS_KEY_PREFIX')
        .default('cuttle:status'),
    )
    .option('--watch', 'refresh until Ctrl-C')
    .option('--exit-status', 'exit 0 when healthy, 3 when degraded, 4 when failing')
    .addOption(new Option('--interval-ms <ms>', 'refresh interval of --watch').default('2000'))
    .action(async (options: StatusOptions) => {
      const store =
        options.redisUrl === undefined
          ? undefined
          : new RedisStatusStore(options.redisUrl, { prefix: options.keyPrefix });
      const read = (): Promise<Fleet> => (store === undefined ? fromExecutive(ctx) : readFleet(store));
      const json = ctx.options.json === true;
      try {
        if (options.watch !== true) {
          const fleet = await read();
          ctx.print(fleet, () => renderFleet(fleet));
          if (options.exitStatus === true) ctx.exitCode = STATUS_EXIT_CODES[fleet.summary.status];
          return;
        }
        for (;;) {
          // --json --watch prints one JSON document per line, for a pipe. A failed read is shown
          // and retried: a watch outlives a Redis or executive restart.
          await read().then(
            (fleet) => ctx.io.out(json ? JSON.stringify(fleet) : `${CLEAR_SCREEN}${renderFleet(fleet)}`),
            (err: unknown) => ctx.io.err(`status unavailable: ${ensureError(err).message}`),
          );
          await sleep(Math.max(100, Number(options.intervalMs) || 2000));
        }
      } finally {
        await store?.close();
      }
    });
}
