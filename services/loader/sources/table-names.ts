/**
 * Which origin database and table names a source can carry. Debezium writes a table's changes to
 * the Kafka topic `<prefix>.<database>.<table>` and matches `table.include.list`, a comma-separated
 * list of regular expressions, against `<database>.<table>`; `message.key.columns` is a
 * `;`-separated list of `<database>.<table>:<col>,<col>`. A name that one of them cannot hold made
 * the connector match nothing while it reported RUNNING, and the loader's derived topic name was
 * refused by Kafka, which stopped its consumer for every source. So such names are refused at
 * registration, all at once, and the names that pass are escaped where a regex reads them.
 */
import { CuttleError } from '../../../lib/errors.ts';

/** Kafka's legal topic characters and length (its Topic.validate). */
const TOPIC_CHARS = /^[a-zA-Z0-9._-]+$/;
export const MAX_TOPIC_LENGTH = 249;
/** Characters a database or table name may hold: topic-legal, without the separator `.`. */
const NAME_CHARS = /^[a-zA-Z0-9_-]+$/;

export interface NameProblem {
  readonly database: string;
  readonly table: string;
  readonly message: string;
}

/** Why `<prefix>.<database>.<table>` cannot carry this table, or undefined when it can. */
export function tableNameProblem(prefix: string, database: string, table: string): string | undefined {
  for (const [what, name] of [
    ['database', database],
    ['table', table],
  ] as const) {
    if (NAME_CHARS.test(name)) continue;
    const bad = [...new Set([...name].filter((c) => !NAME_CHARS.test(c)))].map((c) => JSON.stringify(c));
    return `${what} name ${JSON.stringify(name)} holds ${bad.join(' ')}: Kafka topic names (and so the source's topics ${prefix}.<database>.<table>) allow only a-z, A-Z, 0-9, _ and -, and a . would be read as the database/table separator; rename the ${what} at the origin to capture it`;
  }
  const topic = `${prefix}.${database}.${table}`;
  if (topic.length > MAX_TOPIC_LENGTH)
    return `its topic ${topic} is ${topic.length} characters long; Kafka allows ${MAX_TOPIC_LENGTH}: use a shorter source name or table name`;
  return undefined;
}

/** Every table of the list that a source named `prefix` cannot carry. */
export function tableNameProblems(
  prefix: string,
  tables: readonly { readonly database: string; readonly table: string }[],
): NameProblem[] {
  return tables.flatMap(({ database, table }) => {
    const message = tableNameProblem(prefix, database, table);
    return message === undefined ? [] : [{ database, table, message }];
  });
}

/** Throws INVALID_NAME listing every table name the source cannot carry. */
export function requireCarriableNames(
  prefix: string,
  tables: readonly { readonly database: string; readonly table: string }[],
): void {
  const problems = tableNameProblems(prefix, tables);
  if (problems.length === 0) return;
  const list = problems.map((p) => `  - ${p.database}.${p.table}: ${p.message}`).join('\n');
  throw new CuttleError('INVALID_NAME', `source ${prefix} cannot carry these table names:\n${list}`, {
    details: {
      source: prefix,
      tables: problems.map((p) => `${p.database}.${p.table}`),
      problems: problems.map((p) => p.message),
    },
  });
}

/** A topic name Kafka accepts (the loader checks each before subscribing). */
export function isLegalTopic(topic: string): boolean {
  return topic.length <= MAX_TOPIC_LENGTH && TOPIC_CHARS.test(topic) && topic !== '.' && topic !== '..';
}

/** `name` as a Java regular expression matching exactly itself. */
export function escapeRegex(name: string): string {
  return name.replace(/[\\^$.|?*+()[\]{}]/g, (c) => `\\${c}`);
}

/** One `table.include.list` entry: Debezium matches it against `<database>.<table>`. */
export function includeListEntry(database: string, table: string): string {
  return `${escapeRegex(database)}\\.${escapeRegex(table)}`;
}
