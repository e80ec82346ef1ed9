/**
 * `cuttle sources resolve <name> <database.table> --password <reference>`: accept the origin's
 * current schema for a table the loaders hold after a schema change they do not follow by
 * themselves (services/loader/sources/resolve.ts). The origin is the one the source's connector
 * reads; the password reference is resolved here only to read its information_schema.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { CuttleError } from '../../lib/errors.ts';
import { MysqlOriginSchemaReader } from '../../services/loader/adapters/origin-schema-adapter.ts';
import { ExecutiveAdmin } from '../../services/loader/sources/executive-admin.ts';
import { listSources } from '../../services/loader/sources/registration.ts';
import { resolveTable } from '../../services/loader/sources/resolve.ts';
import { parseSecretRef, resolveSecretRef } from '../../services/loader/sources/secret-ref.ts';
import type { CliContext } from '../context.ts';

const readFile = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

export function resolveCommand(ctx: CliContext): Command {
  return new Command('resolve')
    .description("accept the origin's current schema for a table held after a schema change")
    .argument('<name>', 'source name')
    .argument('<table>', 'the held origin table, <database>.<table> or <table>')
    .requiredOption('--password <reference>', 'the origin password: env:VARIABLE or file:/path:key')
    .action(async (name: string, table: string, options: { password: string }) => {
      const { executive: url, adminToken } = ctx.options;
      const executive = new ExecutiveAdmin(url, adminToken === undefined ? {} : { adminToken });
      const record = (await listSources(executive)).find((s) => s.name === name);
      if (record === undefined)
        throw new CuttleError('NOT_FOUND', `no source named ${name}`, { details: { source: name } });
      const properties = record.connector.properties;
      const reader = await MysqlOriginSchemaReader.open({
        host: properties['database.hostname'] ?? '127.0.0.1',
        port: Number(properties['database.port'] ?? 3306),
        user: properties['database.user'] ?? '',
        password: resolveSecretRef(parseSecretRef(options.password), { env: process.env, readFile }),
      });
      try {
        const result = await resolveTable(name, table, reader, executive);
        ctx.print(result, () =>
          [
            `source ${name}: ${result.table} now maps the origin's current schema; loaders resume on their next poll`,
            result.addedFields.length > 0 ? `fields added: ${result.addedFields.join(', ')}` : '',
            result.droppedColumns.length > 0
              ? `dropped columns (their fields stay, no longer written): ${result.droppedColumns.join(', ')}`
              : '',
            result.retypedColumns.length > 0 ? `retyped columns: ${result.retypedColumns.join(', ')}` : '',
            ...result.warnings.map((w) => `warning: ${w}`),
          ]
            .filter((line) => line !== '')
            .join('\n'),
        );
      } finally {
        await reader.close();
      }
    });
}
