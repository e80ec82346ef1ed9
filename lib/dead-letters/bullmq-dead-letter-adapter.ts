/**
 * The dead-letter queue in BullMQ (Redis): one job per letter, id `<topic>/<partition>/<offset>`
 * so a letter written twice (a halted partition hitting the same event after a restart) stays
 * one. No worker ever processes the queue, and it is kept paused: jobs are records an operator
 * lists, retries or drops (`cuttle deadletters`), and the loaders act on the requests.
 */
import { Queue, type Job } from 'bullmq';
import { CuttleError } from '../errors.ts';
import { redisConnectionOf } from '../redis-url.ts';
import {
  letterId,
  notFound,
  type DeadLetter,
  type DeadLetterStore,
  type LetterRequest,
  type StoredLetter,
} from './dead-letter.ts';

export const DEAD_LETTER_QUEUE = 'cuttle-loader-dead-letters';
const STATES = ['waiting', 'delayed', 'prioritized'] as const;

export interface BullmqDeadLetterOptions {
  readonly redisUrl: string;
  /** BullMQ key prefix (tests isolate themselves with it). @defaultValue 'bull' */
  readonly prefix?: string;
}

type LetterData = DeadLetter & { readonly request: LetterRequest };

export class BullmqDeadLetterStore implements DeadLetterStore {
  readonly #queue: Queue<LetterData>;
  #paused: Promise<void> | undefined;

  constructor(options: BullmqDeadLetterOptions) {
    this.#queue = new Queue<LetterData>(DEAD_LETTER_QUEUE, {
      connection: { ...redisConnectionOf(options.redisUrl), maxRetriesPerRequest: 3 },
      prefix: options.prefix ?? 'bull',
    });
    // Failures surface on the commands themselves; without a listener BullMQ prints every
    // connection error with console.error, outside the structured log.
    this.#queue.on('error', () => undefined);
  }

  async put(letter: DeadLetter): Promise<void> {
    await this.#ensurePaused();
    const id = letterId(letter);
    const existing = await this.#queue.getJob(id);
    if (existing !== undefined) {
      await existing.updateData({ ...letter, request: 'none' });
      return;
    }
    await this.#queue.add(
      'dead-letter',
      { ...letter, request: 'none' },
      { jobId: id, removeOnComplete: false, removeOnFail: false },
    );
  }

  async list(): Promise<StoredLetter[]> {
    const jobs = await this.#queue.getJobs([...STATES], 0, -1, true);
    return jobs.map(stored).sort((a, b) => a.atMs - b.atMs);
  }

  async get(id: string): Promise<StoredLetter | undefined> {
    const job = await this.#queue.getJob(id);
    return job === undefined ? undefined : stored(job);
  }

  async request(id: string, request: Exclude<LetterRequest, 'none'>): Promise<StoredLetter> {
    const job = await this.#queue.getJob(id);
    if (job === undefined) throw notFound(id);
    await job.updateData({ ...job.data, request });
    return stored(job);
  }

  async remove(id: string): Promise<void> {
    await this.#queue.remove(id);
  }

  async close(): Promise<void> {
    await this.#queue.close();
  }

  #ensurePaused(): Promise<void> {
    this.#paused ??= this.#queue.pause().catch((err: unknown) => {
      this.#paused = undefined;
      throw new CuttleError('UNAVAILABLE', `the dead-letter queue (Redis) is unreachable: ${String(err)}`, {
        cause: err,
      });
    });
    return this.#paused;
  }
}

function stored(job: Job<LetterData>): StoredLetter {
  return { ...job.data, id: job.id ?? letterId(job.data) };
}
