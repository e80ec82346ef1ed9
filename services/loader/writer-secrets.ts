/**
 * Where a loader finds the secret of a source's own writer (`cuttle sources add` registers
 * `source.<name>` for each source): the variable CUTTLE_WRITER_SECRET_<NAME> (the writer name in
 * upper case, every other character than A-Z and 0-9 as `_`), else the file
 * `<LOADER_WRITER_SECRETS_DIR>/<writer>`. A source whose secret is nowhere is down on its own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The variable that holds a writer's secret: `source.shop-eu` → CUTTLE_WRITER_SECRET_SOURCE_SHOP_EU. */
export function writerSecretVariable(writer: string): string {
  return `CUTTLE_WRITER_SECRET_${writer.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export type WriterSecrets = (writer: string) => string | undefined;

export function writerSecretsFrom(
  env: Readonly<Record<string, string | undefined>>,
  dir: string | undefined,
): WriterSecrets {
  return (writer) => {
    const fromEnv = env[writerSecretVariable(writer)];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    if (dir === undefined) return undefined;
    try {
      return readFileSync(join(dir, writer), 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  };
}

/** Where an operator puts the secret, for messages. */
export function writerSecretPlaces(writer: string, dir: string | undefined): string {
  const variable = writerSecretVariable(writer);
  return dir === undefined ? variable : `${variable} or the file ${join(dir, writer)}`;
}
