/** `cuttle writers list | register | rotate | offsets` */
import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { renderTable, type CliContext } from '../context.ts';

interface Offsets {
  readonly writer: string;
  readonly offsets: readonly { readonly stream: string; readonly next: string }[];
  readonly cookie: string | null;
}

const writerPath = (writer: string) => `/writers/${encodeURIComponent(writer)}`;
const newSecret = () => randomBytes(24).toString('base64url');

export function writersCommand(ctx: CliContext): Command {
  const command = new Command('writers').description(
    'register writers, rotate their secrets, read their offsets',
  );

  command
    .command('list')
    .description('list writers (admin)')
    .action(async () => {
      const result = await ctx
        .client()
        .request<{ writers: { name: string; createdAt: number }[] }>('GET', '/writers');
      ctx.print(result, () =>
        renderTable(
          ['WRITER', 'CREATED'],
          result.writers.map((w) => [w.name, new Date(w.createdAt).toISOString()]),
        ),
      );
    });

  for (const [name, description] of [
    ['register', 'register a writer (admin); prints the secret when it is generated'],
    ['rotate', "replace a writer's secret (admin); prints the secret when it is generated"],
  ] as const) {
    command
      .command(name)
      .description(description)
      .argument('<writer>')
      .option('--secret <secret>', 'the secret (8-256 characters); generated when left out')
      .action(async (writer: string, options: { secret?: string }) => {
        const secret = options.secret ?? newSecret();
        await ctx
          .client()
          .request('POST', name === 'register' ? writerPath(writer) : `${writerPath(writer)}/rotate`, {
            secret,
          });
        const shown = options.secret === undefined ? secret : undefined;
        ctx.print({ writer, ...(shown === undefined ? {} : { secret: shown }) }, () =>
          [
            `${name === 'register' ? 'registered' : 'rotated'} writer ${writer}`,
            ...(shown === undefined ? [] : [`secret: ${shown}`, '(store it now; it is not shown again)']),
          ].join('\n'),
        );
      });
  }

  command
    .command('offsets')
    .description("a writer's stored offsets and cookie (admin)")
    .argument('<writer>')
    .action(async (writer: string) => {
      const result = await ctx.client().request<Offsets>('GET', `${writerPath(writer)}/offsets`);
      ctx.print(result, () =>
        [
          renderTable(
            ['STREAM', 'NEXT OFFSET'],
            result.offsets.map((o) => [o.stream, o.next]),
          ),
          `cookie: ${result.cookie ?? '(none)'}`,
        ].join('\n'),
      );
    });
  return command;
}
