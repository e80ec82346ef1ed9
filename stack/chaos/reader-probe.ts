/**
 * A sample reader in its own process (`node --import tsx stack/chaos/reader-probe.ts <ldb>
 * <family> <intervalMs>`): reads every tx_groups row in one call, as a consumer service would,
 * and reports any group whose slots are not all there with one `ver` (part of an origin
 * transaction), and any seq that goes backwards. One JSON line per finding; a summary line every
 * second; exits on SIGTERM.
 */
import { isCuttleError } from '../../lib/errors.ts';
import { openLdb, type LdbReader } from '../../lib/reader/ldb-reader.ts';
import { GROUP_SLOTS } from '../fleet/origin-schema.ts';

const [path = '', family = 'fleet', intervalText = '50'] = process.argv.slice(2);
const intervalMs = Number(intervalText);
let reader: LdbReader | undefined;
let reads = 0;
let lastSeq = 0;
let stopping = false;

const emit = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

function checkGroups(r: LdbReader): void {
  const seqBefore = r.lastSeq();
  if (seqBefore < lastSeq) emit({ type: 'seq-backwards', from: lastSeq, to: seqBefore });
  lastSeq = seqBefore;
  const rows = r.rowsByPrefix(family, 'tx_groups', []);
  reads++;
  const groups = new Map<string, Set<string>>();
  const counts = new Map<string, number>();
  for (const row of rows) {
    const g = String(row.grp);
    groups.set(g, (groups.get(g) ?? new Set()).add(String(row.ver)));
    counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  for (const [g, vers] of groups) {
    const count = counts.get(g) ?? 0;
    if (vers.size > 1 || count !== GROUP_SLOTS)
      emit({ type: 'partial-group', group: g, vers: [...vers], slots: count, seqNear: seqBefore });
  }
}

function tick(): void {
  if (stopping) return;
  try {
    reader ??= openLdb(path, { replaceCheckMs: 200 });
    checkGroups(reader);
  } catch (err) {
    // No LDB yet, or no table yet: a reader waits for its reflector.
    if (!(isCuttleError(err) && (err.code === 'NOT_FOUND' || err.code === 'TABLE_NOT_FOUND')))
      emit({ type: 'error', message: String(err) });
  }
  setTimeout(tick, intervalMs);
}

const summary = setInterval(() => emit({ type: 'reads', reads, seq: lastSeq }), 1000);
process.on('SIGTERM', () => {
  stopping = true;
  clearInterval(summary);
  emit({ type: 'reads', reads, seq: lastSeq, final: true });
  reader?.close();
  process.exit(0);
});
tick();
