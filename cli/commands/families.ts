/** `cuttle families list | create <family>` */
import { Command } from 'commander';
import { renderTable, type CliContext } from '../context.ts';

export function familiesCommand(ctx: CliContext): Command {
  const command = new Command('families').description('list and create families (namespaces of tables)');
  command
    .command('list')
    .description('list families')
    .action(async () => {
      const result = await ctx.client().request<{ families: string[] }>('GET', '/families');
      ctx.print(result, () =>
        renderTable(
          ['FAMILY'],
          result.families.map((f) => [f]),
        ),
      );
    });
  command
    .command('create')
    .description('create a family (admin)')
    .argument('<family>', 'family name: a-z, 0-9, _ (3-30 characters)')
    .action(async (family: string) => {
      const result = await ctx
        .client()
        .request<{ family: string }>('POST', `/families/${encodeURIComponent(family)}`);
      ctx.print(result, () => `created family ${result.family}`);
    });
  return command;
}
