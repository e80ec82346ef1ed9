/**
 * `LdbFiles` on better-sqlite3, run on a short-lived worker thread per call.
 *
 * Why VACUUM INTO on its own connection does not pause the follower: VACUUM INTO (unlike plain
 * VACUUM) only reads the source, inside one read transaction, so the copy is a consistent
 * snapshot of one committed state (https://www.sqlite.org/lang_vacuum.html#vacuuminto). In WAL
 * mode a read transaction pins an end mark in the WAL and never takes the write lock, so the
 * follower keeps committing; its checkpoints simply cannot pass the reader's mark until the copy
 * ends, and the WAL grows for that long. The copy holds no free pages and no WAL, so it is as
 * small as the data. Running on a worker keeps the event loop of the process free meanwhile.
 *
 * The worker body is plain CommonJS in a string: it must run unchanged under tsx, vitest and
 * plain node, and a `.ts` worker file would need a loader in every one of them.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { CuttleError } from '../../errors.ts';
import type { InspectOptions, InspectResult, LdbFacts, LdbFiles } from '../ldb-files.ts';
import type { LdbPositionSpec } from '../position.ts';

const WORKER_SOURCE = `
const { parentPort, workerData: task } = require('node:worker_threads');
const Database = require(task.driver);
function facts(db) {
  const row = db.prepare(task.positionSql).get();
  if (row === undefined) throw new Error('the position query returned no row');
  const seq = Number(row.seq);
  const committedAt = row.committed_at === null || row.committed_at === undefined ? null : Number(row.committed_at);
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
  return { position: { seq, committedAt }, tables };
}
function check(db, mode) {
  if (mode === 'none') return undefined;
  const rows = db.pragma((mode === 'full' ? 'integrity_check' : 'quick_check') + '(10)', { simple: false });
  const messages = rows.map((r) => Object.values(r)[0]);
  return messages.length === 1 && messages[0] === 'ok' ? undefined : messages.join('; ');
}
function compact() {
  const source = new Database(task.source, { readonly: true, fileMustExist: true });
  try { source.prepare('VACUUM INTO ?').run(task.target); } finally { source.close(); }
  const copy = new Database(task.target, { readonly: true, fileMustExist: true });
  try {
    const problem = check(copy, 'full');
    if (problem !== undefined) throw new Error('the copy failed integrity_check: ' + problem);
    return facts(copy);
  } finally { copy.close(); }
}
function inspect() {
  let db;
  try {
    db = new Database(task.path, { readonly: task.readonly, fileMustExist: true });
    const problem = check(db, task.check);
    if (problem !== undefined) return { ok: false, problem: task.check + '_check: ' + problem };
    const result = { ok: true, ...facts(db) };
    if (task.makeWal) db.pragma('journal_mode = WAL');
    return result;
  } catch (err) {
    return { ok: false, problem: (err && err.code ? err.code + ': ' : '') + String(err && err.message) };
  } finally { if (db !== undefined && db.open) db.close(); }
}
try {
  parentPort.postMessage({ ok: true, value: task.op === 'compact' ? compact() : inspect() });
} catch (err) {
  parentPort.postMessage({ ok: false, message: String(err && err.message), code: err && err.code });
}
`;

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

type Task =
  | { readonly op: 'compact'; readonly source: string; readonly target: string; readonly positionSql: string }
  | {
      readonly op: 'inspect';
      readonly path: string;
      readonly positionSql: string;
      readonly check: string;
      readonly readonly: boolean;
      readonly makeWal: boolean;
    };

type Reply = { ok: true; value: unknown } | { ok: false; message: string; code?: string };

function runInWorker<T>(task: Task, signal?: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    // execArgv []: a worker inherits the parent's loader flags (tsx), whose module hooks talk to
    // the main thread synchronously while the worker starts (measured: up to 90 ms of event-loop
    // stall per worker under tsx, 15 ms without); this plain CommonJS body needs no loader.
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ...task, driver }, execArgv: [] });
    worker.once('message', (reply: Reply) => {
      if (reply.ok) resolve(reply.value as T);
      else
        reject(
          new CuttleError('INTERNAL', `${task.op}: ${reply.message}`, { details: { code: reply.code } }),
        );
    });
    const onAbort = (): void => {
      reject(signal?.reason as Error);
      // Never terminate the worker: terminating it while better-sqlite3 is inside VACUUM INTO
      // aborts the whole process (V8 "ToLocalChecked Empty MaybeLocal" when the native error is
      // thrown into a dying isolate; seen in CI). Let the copy finish unobserved instead.
      worker.unref();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (code !== 0) reject(new CuttleError('INTERNAL', `${task.op}: sqlite worker exited with ${code}`));
    });
  });
}

export class SqliteLdbFiles implements LdbFiles {
  compactCopy(
    source: string,
    target: string,
    position: LdbPositionSpec,
    signal?: AbortSignal,
  ): Promise<LdbFacts> {
    return runInWorker({ op: 'compact', source, target, positionSql: position.sql }, signal);
  }

  inspect(path: string, position: LdbPositionSpec, options: InspectOptions): Promise<InspectResult> {
    return runInWorker({
      op: 'inspect',
      path,
      positionSql: position.sql,
      check: options.check,
      readonly: options.readonly ?? true,
      makeWal: options.makeWal ?? false,
    });
  }
}
