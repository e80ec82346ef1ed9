/**
 * The embedded mode's loader: the real loader pipeline (decoding, mapping, batching, offsets in
 * ctldb, exactly once) fed from a file of Debezium JSON change events instead of Kafka
 * (services/loader/consumer/file-consumer.ts). Its sources file maps the events' tables to cuttle
 * tables, which are created here when missing. The events file is followed: lines appended to it
 * while cuttle runs reach the LDB within a poll interval.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../lib/logging.ts';
import { loadLoaderConfig } from '../services/loader/config.ts';
import { createLoader, type Loader } from '../services/loader/loader.ts';
import { sourceConfigSchema } from '../services/loader/mapping/source-config.ts';
import { SourceMapper } from '../services/loader/mapping/source-mapper.ts';
import { ExecutiveAdmin } from '../services/loader/sources/executive-admin.ts';
import { ensureTables } from '../services/loader/sources/registration.ts';

const SAMPLE_DIR = fileURLToPath(new URL('./embedded-sample/', import.meta.url));
const WRITER = 'embedded-loader';

export interface EmbeddedLoaderOptions {
  readonly executiveUrl: string;
  readonly adminToken: string;
  readonly dataDir: string;
  /** Debezium events, one per line; default <data-dir>/debezium-events.ndjson, seeded from the sample. */
  readonly eventsPath?: string;
  /** Sources (the LOADER_SOURCES_FILE format); default the sample's. */
  readonly sourcesPath?: string;
  readonly httpPort: number;
  readonly log: Logger;
}

export interface EmbeddedLoader {
  readonly loader: Loader;
  readonly eventsPath: string;
  readonly sourcesPath: string;
  readonly statusUrl: string | undefined;
  /** The cuttle tables the sources load. */
  readonly targets: readonly { readonly family: string; readonly table: string }[];
}

export async function startEmbeddedLoader(options: EmbeddedLoaderOptions): Promise<EmbeddedLoader> {
  const eventsPath = options.eventsPath ?? join(options.dataDir, 'debezium-events.ndjson');
  if (options.eventsPath === undefined && !existsSync(eventsPath))
    copyFileSync(join(SAMPLE_DIR, 'debezium-events.ndjson'), eventsPath);
  const sourcesPath = options.sourcesPath ?? join(SAMPLE_DIR, 'sources.json');
  const sources = (JSON.parse(readFileSync(sourcesPath, 'utf8')) as unknown[]).map((s) =>
    sourceConfigSchema.parse(s),
  );
  const admin = new ExecutiveAdmin(options.executiveUrl, { adminToken: options.adminToken });
  await ensureTables(
    admin,
    sources.flatMap((s) => new SourceMapper(s).tables.map((t) => t.schema)),
  );
  // A fresh secret on every start: nothing else knows it, and offsets belong to the writer name.
  const secret = randomBytes(18).toString('base64url');
  const scope = { families: [...new Set(sources.flatMap((s) => s.tables.map((t) => t.target.family)))] };
  if (!(await admin.registerWriter(WRITER, secret, scope))) {
    await admin.rotateWriter(WRITER, secret);
    await admin.setWriterScope(WRITER, scope);
  }
  const loader = createLoader(
    loadLoaderConfig({
      LOADER_EXECUTIVE_URL: options.executiveUrl,
      LOADER_WRITER: WRITER,
      LOADER_SECRET: secret,
      LOADER_SOURCES_FILE: sourcesPath,
      LOADER_EVENTS_FILE: eventsPath,
      LOADER_HTTP_PORT: String(options.httpPort),
    }),
    { log: options.log },
  );
  await loader.start();
  const targets = sources.flatMap((s) => s.tables.map((t) => t.target));
  return { loader, eventsPath, sourcesPath, statusUrl: loader.statusUrl, targets };
}

/** Resolves once every partition has committed all it has read (or the events file is empty). */
export async function waitCaughtUp(loader: Loader, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = loader.statuses;
    const halted = statuses.find((s) => s.halted !== null);
    if (halted?.halted != null)
      throw new Error(`${halted.topic} halted at offset ${halted.halted.offset}: ${halted.halted.reason}`);
    if (statuses.length > 0 && statuses.every((s) => s.committedNext === s.highWatermark)) return;
    if (Date.now() > deadline) throw new Error(`the loader did not catch up in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
