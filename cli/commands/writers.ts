/** `cuttle writers list | add | rotate | scope | offsets | remove` */
import { Command, Option } from 'commander';
import { randomBytes } from 'node:crypto';
import { CuttleError } from '../../lib/errors.ts';
import { renderTable, type CliContext } from '../context.ts';

interface Offsets {
  readonly writer: string;
  readonly offsets: readonly { readonly stream: string; readonly next: string }[];
  readonly cookie: string | null;
}

/** What the executive stores (services/executive/writers/writer-scope.ts). */
export type WriterScope = { readonly global: true } | { readonly families: readonly string[] };

interface ScopeOptions {
  readonly family?: readonly string[];
  readonly global?: boolean;
}

const writerPath = (writer: string) => `/writers/${encodeURIComponent(writer)}`;
const newSecret = () => randomBytes(24).toString('base64url');
const collect = (value: string, previous: readonly string[] = []): string[] => [...previous, value];

export function scopeText(scope: WriterScope): string {
  return 'global' in scope ? '(every family)' : scope.families.join(', ');
}

/** The scope the options name: --family (repeatable) or --global, exactly one of them. */
function scopeOf(options: ScopeOptions): WriterScope {
  const families = options.family ?? [];
  if (options.global === true && families.length > 0)
    throw new CuttleError('BAD_REQUEST', 'give --family or --global, not both');
  if (options.global === true) return { global: true };
  if (families.length === 0) {
    throw new CuttleError(
      'WRITER_SCOPE_MISSING',
      'name the families the writer may write with --family <family> (repeatable), or --global for every family',
    );
  }
  return { families };
}

function withScopeOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--family <family>', 'a family the writer may write and read (repeatable)').argParser(
        collect,
      ),
    )
    .option('--global', 'a writer of every family (ctlstore-style); must be asked for explicitly');
}

export function writersCommand(ctx: CliContext): Command {
  const command = new Command('writers').description(
    'register writers with their scopes, rotate their secrets, read their offsets',
  );

  command
    .command('list')
    .description('list writers and their scopes (admin)')
    .action(async () => {
      const result = await ctx
        .client()
        .request<{ writers: { name: string; createdAt: number; scope: WriterScope }[] }>('GET', '/writers');
      ctx.print(result, () =>
        renderTable(
          ['WRITER', 'SCOPE', 'CREATED'],
          result.writers.map((w) => [w.name, scopeText(w.scope), new Date(w.createdAt).toISOString()]),
        ),
      );
    });

  withScopeOptions(
    command
      .command('add')
      .alias('register')
      .description('register a writer scoped to families (admin); prints the secret when it is generated')
      .argument('<writer>')
      .option('--secret <secret>', 'the secret (8-256 characters); generated when left out'),
  ).action(async (writer: string, options: ScopeOptions & { secret?: string }) => {
    const scope = scopeOf(options);
    const secret = options.secret ?? newSecret();
    await ctx.client().request('POST', writerPath(writer), { secret, ...scope });
    const shown = options.secret === undefined ? secret : undefined;
    ctx.print({ writer, scope, ...(shown === undefined ? {} : { secret: shown }) }, () =>
      [
        `registered writer ${writer} for ${scopeText(scope)}`,
        ...(shown === undefined ? [] : [`secret: ${shown}`, '(store it now; it is not shown again)']),
      ].join('\n'),
    );
  });

  command
    .command('rotate')
    .description("replace a writer's secret (admin); prints the secret when it is generated")
    .argument('<writer>')
    .option('--secret <secret>', 'the secret (8-256 characters); generated when left out')
    .action(async (writer: string, options: { secret?: string }) => {
      const secret = options.secret ?? newSecret();
      await ctx.client().request('POST', `${writerPath(writer)}/rotate`, { secret });
      const shown = options.secret === undefined ? secret : undefined;
      ctx.print({ writer, ...(shown === undefined ? {} : { secret: shown }) }, () =>
        [
          `rotated writer ${writer}`,
          ...(shown === undefined ? [] : [`secret: ${shown}`, '(store it now; it is not shown again)']),
        ].join('\n'),
      );
    });

  withScopeOptions(
    command
      .command('scope')
      .description("replace a writer's scope (admin; applies on every executive within 5 s)")
      .argument('<writer>'),
  ).action(async (writer: string, options: ScopeOptions) => {
    const scope = scopeOf(options);
    await ctx.client().request('PUT', `${writerPath(writer)}/scope`, scope);
    ctx.print({ writer, scope }, () => `writer ${writer} may now write ${scopeText(scope)}`);
  });

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

  command
    .command('remove')
    .description(
      'remove a writer with its scope, limit override and stored offsets (admin; its ledger entries stay)',
    )
    .argument('<writer>')
    .action(async (writer: string) => {
      await ctx.client().request('DELETE', writerPath(writer));
      ctx.print({ writer, removed: true }, () => `writer ${writer} removed`);
    });
  return command;
}
