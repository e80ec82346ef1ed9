/**
 * Carries out operators' requests on dead letters (`cuttle deadletters retry | drop`):
 * - a letter that halted a partition this loader holds: retry resumes the partition from ctldb's
 *   offset (the event is tried again; if it fails again, it halts again); drop resumes it past
 *   the event.
 * - a skipped letter: retry decodes and maps the record again with the source's current mapping
 *   and commits its mutations under a stream of its own (`dead-letter/<id>`, expected null), so
 *   a replay is applied at most once whichever loader runs it; drop forgets it. A replayed upsert
 *   is the row as it was at that event: replay before newer changes of the same key, or not at all.
 */
import type { DeadLetter, DeadLetterStore, StoredLetter } from '../../../lib/dead-letters/dead-letter.ts';
import type { Logger } from '../../../lib/logging.ts';
import type { SendResult } from '../batching/failure-policy.ts';
import type { CommitRequest } from '../executive/executive-client.ts';
import type { InboundMessage } from '../message.ts';
import { buildEvent } from '../pipeline/event-builder.ts';
import type { LoaderPipeline } from '../pipeline/loader-pipeline.ts';
import type { SourceRoute } from '../pipeline/source-route.ts';

export interface ReplayerDeps {
  readonly store: DeadLetterStore;
  readonly routes: () => ReadonlyMap<string, SourceRoute>;
  /** Finds the worker of a partition this loader holds (over every source's pipeline). */
  readonly pipeline: () => Pick<LoaderPipeline, 'find'> | null;
  /** The executive as the writer the route's source commits as. */
  readonly executive: (route: SourceRoute) => { commit(request: CommitRequest): Promise<SendResult> };
  readonly log: Logger;
}

export class DeadLetterReplayer {
  readonly #deps: ReplayerDeps;

  constructor(deps: ReplayerDeps) {
    this.#deps = deps;
  }

  /** Acts on every pending request this loader can act on; returns how many it handled. */
  async runOnce(): Promise<number> {
    let handled = 0;
    for (const letter of await this.#deps.store.list()) {
      if (letter.request === 'none') continue;
      const route = this.#deps.routes().get(letter.topic);
      if (route === undefined) continue;
      const done =
        letter.policy === 'halt' ? this.#resumeHalted(letter) : await this.#settleSkipped(letter, route);
      if (done) {
        await this.#deps.store.remove(letter.id);
        handled++;
      }
    }
    return handled;
  }

  #resumeHalted(letter: StoredLetter): boolean {
    const worker = this.#deps.pipeline()?.find(letter);
    if (worker === undefined || !worker.isHaltedAt(letter.offset)) return false;
    worker.resume(letter.request === 'drop' ? letter.offset : undefined);
    this.#deps.log.info(
      { id: letter.id, request: letter.request },
      'halted partition resumed from the dead-letter queue',
    );
    return true;
  }

  async #settleSkipped(letter: StoredLetter, route: SourceRoute): Promise<boolean> {
    if (letter.request === 'drop') return true;
    try {
      const built = await buildEvent(messageOf(letter), route);
      if (built.kind === 'hold') return await this.#failed(letter, 'HELD', built.reason);
      // Deleting every row now would also delete what came after the TRUNCATE.
      if (built.kind === 'truncate')
        return await this.#failed(letter, 'BAD_REQUEST', 'a TRUNCATE cannot be replayed out of its order');
      const event = built.event;
      const stream = `dead-letter/${letter.id}`;
      const result = await this.#deps.executive(route).commit({
        family: event.family ?? route.defaultFamily,
        mutations: event.mutations,
        offsets: [{ stream, expected: null, next: '1' }],
      });
      if (result.kind === 'committed') return true;
      if (result.kind === 'unreachable')
        return await this.#failed(letter, 'UNAVAILABLE', result.error.message);
      // A conflict storing '1' means this replay already committed (another loader, a lost reply).
      const stored = result.details.stored as Record<string, unknown> | undefined;
      if (result.code === 'OFFSET_CONFLICT' && stored?.[stream] === '1') return true;
      return await this.#failed(letter, result.code, result.message);
    } catch (err) {
      const code = err !== null && typeof err === 'object' && 'code' in err ? String(err.code) : 'INTERNAL';
      return this.#failed(letter, code, err instanceof Error ? err.message : String(err));
    }
  }

  /** The replay failed: the letter stays, with the new reason and no pending request. */
  async #failed(letter: StoredLetter, code: string, reason: string): Promise<boolean> {
    await this.#deps.store.put({
      ...deadLetterOf(letter),
      code,
      reason: `replay failed: ${reason}`,
      atMs: Date.now(),
    });
    this.#deps.log.warn({ id: letter.id, code, reason }, 'dead-letter replay failed');
    return false;
  }
}

function deadLetterOf(letter: StoredLetter): DeadLetter {
  const { source, topic, partition, offset, key, value, headers, position, code, reason, policy, atMs } =
    letter;
  return { source, topic, partition, offset, key, value, headers, position, code, reason, policy, atMs };
}

function messageOf(letter: StoredLetter): InboundMessage {
  return {
    topic: letter.topic,
    partition: letter.partition,
    offset: letter.offset,
    key: letter.key === null ? null : Buffer.from(letter.key, 'base64'),
    value: letter.value === null ? null : Buffer.from(letter.value, 'base64'),
    headers: letter.headers,
    timestampMs: letter.atMs,
  };
}
