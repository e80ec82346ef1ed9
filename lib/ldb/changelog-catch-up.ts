/**
 * Bringing the changelog level with the LDB at start-up. Lines are written after their batch
 * commits, so a reflector killed in between leaves committed batches without lines. On restart
 * those entries are read again from the ledger and their lines written, typed with the schema
 * each table had at that seq (the catalog keeps every incarnation). If the LDB is far ahead
 * (e.g. it was replaced by a snapshot), the feed skips ahead instead and followers see a hole
 * (CHANGELOG_OUT_OF_SYNC) rather than a silent loss.
 */
import type { ChangelogWriter } from '../changelog/writer.ts';
import type { LedgerSource } from '../ledger/entry.ts';
import type { Logger } from '../logging.ts';
import { readCatalog, schemaAt } from './catalog.ts';
import { changeOfEntry, type RowChange } from './changes.ts';
import type { SqliteDb } from './sqlite-port.ts';

export interface CatchUpOptions {
  readonly ldbSeq: number;
  readonly blockSize: number;
  /** Re-emit at most this many entries; beyond, skip ahead. */
  readonly limit: number;
}

/** Returns the number of lines written. */
export async function catchUpChangelog(
  changelog: ChangelogWriter,
  source: LedgerSource,
  db: SqliteDb,
  log: Logger,
  options: CatchUpOptions,
): Promise<number> {
  const last = changelog.lastSeq;
  if (last === null || last >= options.ldbSeq) {
    changelog.startAt(options.ldbSeq);
    return 0;
  }
  if (options.ldbSeq - last > options.limit) {
    log.warn(
      { changelogSeq: last, ldbSeq: options.ldbSeq },
      'changelog is too far behind the LDB to replay; skipping ahead (followers will see out-of-sync)',
    );
    changelog.append([], options.ldbSeq);
    return 0;
  }
  const catalog = readCatalog(db);
  let after = Math.max(last, changelog.watermark ?? last);
  let written = 0;
  while (after < options.ldbSeq) {
    const entries = (await source.readAfter(after, options.blockSize)).filter((e) => e.seq <= options.ldbSeq);
    if (entries.length === 0) break;
    const changes: RowChange[] = [];
    for (const entry of entries) {
      const change = changeOfEntry(entry, schemaAt(catalog, entry.family, entry.table, entry.seq));
      if (change !== null) changes.push(change);
    }
    after = entries[entries.length - 1]?.seq ?? options.ldbSeq;
    changelog.append(changes, after);
    written += changes.length;
  }
  if (after < options.ldbSeq) changelog.append([], options.ldbSeq);
  log.info({ from: last, to: options.ldbSeq, lines: written }, 'changelog caught up with the LDB');
  return written;
}
