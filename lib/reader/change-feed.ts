/**
 * The change feed, for consumers of the reader library: follow what changed in the LDB (as the
 * reflector's changelog file records it) from a given ledger seq, across file rotations.
 *
 *   for await (const change of followChanges('/var/lib/cuttle/changes.ndjson', { afterSeq: reader.lastSeq() })) {
 *     cache.invalidate(change.family, change.table, change.key);
 *   }
 *
 * Throws CHANGELOG_OUT_OF_SYNC when changes after `afterSeq` are no longer in the files: rebuild
 * from the LDB (`reader.rowsByPrefix`), then follow again from `reader.lastSeq()`.
 */
import { followChangelog, type FollowOptions } from '../changelog/follow.ts';
import type { ChangeEvent } from '../changelog/format.ts';

export type { FollowOptions } from '../changelog/follow.ts';
export type { ChangeEvent } from '../changelog/format.ts';

/**
 * Every committed change with a seq above `options.afterSeq`, in seq order, waiting for new ones
 * until `options.signal` aborts (or the loop breaks).
 *
 * @param changelogPath - the reflector's REFLECTOR_CHANGELOG_PATH.
 */
export function followChanges(
  changelogPath: string,
  options: FollowOptions = {},
): AsyncGenerator<ChangeEvent> {
  return followChangelog(changelogPath, options);
}
