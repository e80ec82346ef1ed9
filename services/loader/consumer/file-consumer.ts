/**
 * A ChangeConsumer over a file of Debezium events, for the embedded mode: one change event per
 * line, as Kafka Connect's JsonConverter writes a record's value (with or without the schema
 * part), appended to over time. It behaves as one Kafka partition per table: the topic is the
 * one Debezium would use (`<source.name>.<source.db>.<source.table>`, or `<source.name>` for
 * schema changes), partition 0, and a record's offset is its ordinal among that topic's lines.
 * So offsets are stable while the file only grows, and the loader's exactly-once machinery
 * (offsets stored in ctldb, seek on start) works unchanged: a restart resumes where ctldb is.
 *
 * The file is read incrementally and followed (`tail -f`). A line that is not a change event
 * stops the reading there, with an error naming the line, until it is fixed: nothing after it
 * is delivered out of order.
 */
import { open, stat } from 'node:fs/promises';
import { CuttleError } from '../../../lib/errors.ts';
import { sleep } from '../../../lib/lifecycle.ts';
import type { Logger } from '../../../lib/logging.ts';
import { streamName, type TopicPartition } from '../batching/offsets.ts';
import { parseExactJson } from '../decode/exact-json.ts';
import type { InboundMessage } from '../message.ts';
import type { BatchContext, ChangeConsumer, ConsumerHandlers } from './consumer.ts';

export interface FileConsumerOptions {
  readonly path: string;
  readonly log: Logger;
  /** How often the file is checked for new lines. @defaultValue 200 */
  readonly pollMs?: number;
  /** Records per delivered batch. @defaultValue 500 */
  readonly maxBatch?: number;
}

const NEWLINE = 0x0a;

/** The topic Debezium writes a change event to, from its `source` block. */
export function topicOfEvent(line: string): string {
  let event: unknown;
  try {
    event = parseExactJson(line);
  } catch (err) {
    throw new CuttleError('BAD_REQUEST', 'not JSON', { cause: err });
  }
  const payload = isObject(event) && isObject(event.payload) && 'schema' in event ? event.payload : event;
  const source = isObject(payload) ? payload.source : undefined;
  if (!isObject(source) || typeof source.name !== 'string')
    throw new CuttleError('BAD_REQUEST', 'not a Debezium change event (no source.name)');
  const { name, db, table } = source;
  return typeof db === 'string' && typeof table === 'string' ? `${name}.${db}.${table}` : name;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class FileChangeConsumer implements ChangeConsumer {
  readonly #options: FileConsumerOptions;
  /** Every record read so far, per topic-partition stream, in file order (index = offset). */
  readonly #records = new Map<string, InboundMessage[]>();
  /** The next offset to deliver, per stream. */
  readonly #positions = new Map<string, number>();
  readonly #paused = new Set<string>();
  /** Bumped by every seek of a stream, so that a batch in flight learns it is stale. */
  readonly #epochs = new Map<string, number>();
  #topics = new Set<string>();
  #bytesRead = 0;
  #lineNumber = 0;
  #partial = Buffer.alloc(0);
  #badLine: number | null = null;
  #shrinkReported = false;
  #lastActivityMs: number | null = null;
  #running = false;
  #loop: Promise<void> | undefined;
  readonly #stopping = new AbortController();

  constructor(options: FileConsumerOptions) {
    this.#options = options;
  }

  start(topics: readonly string[], handlers: ConsumerHandlers): Promise<void> {
    this.#topics = new Set(topics);
    this.#running = true;
    this.#loop = this.#run(handlers).catch((err: unknown) => {
      if (this.#running) handlers.onFatal(err instanceof Error ? err : new Error(String(err)));
    });
    return Promise.resolve();
  }

  seek(tp: TopicPartition, offset: string): void {
    const stream = streamName(tp);
    this.#positions.set(stream, Number(offset));
    this.#epochs.set(stream, (this.#epochs.get(stream) ?? 0) + 1);
  }

  earliestOffset(): Promise<string> {
    return Promise.resolve('0');
  }

  lastActivityMs(): number | null {
    return this.#lastActivityMs;
  }

  pause(tp: TopicPartition): void {
    this.#paused.add(streamName(tp));
  }

  resume(tp: TopicPartition): void {
    this.#paused.delete(streamName(tp));
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping.abort();
    await this.#loop;
  }

  async #run(handlers: ConsumerHandlers): Promise<void> {
    let assigned = 0;
    while (this.#running) {
      await this.#readNewLines();
      this.#lastActivityMs = Date.now();
      const streams = [...this.#records.keys()];
      if (streams.length !== assigned) {
        assigned = streams.length;
        handlers.onAssigned(streams.map((s) => this.#tpOf(s)));
      }
      let progressed = false;
      for (const stream of streams) progressed = (await this.#deliver(stream, handlers)) || progressed;
      if (!progressed) await sleep(this.#options.pollMs ?? 200, this.#stopping.signal);
    }
  }

  /** Delivers the next batch of one stream; true when its position moved. */
  async #deliver(stream: string, handlers: ConsumerHandlers): Promise<boolean> {
    const records = this.#records.get(stream) ?? [];
    const from = this.#positions.get(stream) ?? 0;
    if (this.#paused.has(stream) || from >= records.length) return false;
    const epoch = this.#epochs.get(stream) ?? 0;
    const ctx: BatchContext = {
      isCurrent: () => this.#running && (this.#epochs.get(stream) ?? 0) === epoch,
      heartbeat: () => Promise.resolve(),
      consumed: (next) => {
        if (ctx.isCurrent()) this.#positions.set(stream, Number(next));
        return Promise.resolve();
      },
    };
    const { topic, partition } = this.#tpOf(stream);
    await handlers.eachBatch(
      {
        topic,
        partition,
        fetchedOffset: String(from),
        highWatermark: String(records.length),
        messages: records.slice(from, from + (this.#options.maxBatch ?? 500)),
      },
      ctx,
    );
    return (this.#positions.get(stream) ?? 0) !== from;
  }

  #tpOf(stream: string): TopicPartition {
    return { topic: stream.slice(0, stream.lastIndexOf('/')), partition: 0 };
  }

  /** Reads what was appended since the last call; a partial last line waits for its newline. */
  async #readNewLines(): Promise<void> {
    if (this.#badLine !== null) return;
    const size = await stat(this.#options.path).then(
      (s) => s.size,
      () => 0,
    );
    if (size < this.#bytesRead && !this.#shrinkReported) {
      // Offsets are line ordinals: a rewritten file would renumber them. Only appends are read.
      this.#shrinkReported = true;
      this.#options.log.warn(
        { path: this.#options.path, size, read: this.#bytesRead },
        'the events file shrank; only appended lines are read, restart the loader with a new file and a new writer to start over',
      );
    }
    if (size <= this.#bytesRead) return;
    const file = await open(this.#options.path, 'r');
    try {
      const chunk = Buffer.alloc(size - this.#bytesRead);
      const { bytesRead } = await file.read(chunk, 0, chunk.length, this.#bytesRead);
      this.#bytesRead += bytesRead;
      this.#partial = Buffer.concat([this.#partial, chunk.subarray(0, bytesRead)]);
    } finally {
      await file.close();
    }
    let start = 0;
    for (let end = this.#partial.indexOf(NEWLINE); end !== -1; end = this.#partial.indexOf(NEWLINE, start)) {
      if (!this.#addLine(this.#partial.subarray(start, end))) {
        this.#partial = this.#partial.subarray(start);
        return;
      }
      start = end + 1;
    }
    this.#partial = Buffer.from(this.#partial.subarray(start));
  }

  /** Adds one line as a record; false (and reading stops) when it is not a change event. */
  #addLine(raw: Buffer): boolean {
    const lineNumber = this.#lineNumber + 1;
    const text = raw.toString('utf8').trim();
    if (text === '') {
      this.#lineNumber = lineNumber;
      return true;
    }
    let topic: string;
    try {
      topic = topicOfEvent(text);
    } catch (err) {
      this.#badLine = lineNumber;
      this.#options.log.error(
        { err, path: this.#options.path, line: lineNumber },
        'the events file has a line that is not a Debezium change event; reading stops there until it is fixed and the loader restarted',
      );
      return false;
    }
    this.#lineNumber = lineNumber;
    if (!this.#topics.has(topic)) return true;
    const stream = streamName({ topic, partition: 0 });
    const records = this.#records.get(stream) ?? [];
    records.push({
      topic,
      partition: 0,
      offset: String(records.length),
      key: null,
      value: Buffer.from(raw),
      headers: {},
      timestampMs: Date.now(),
    });
    this.#records.set(stream, records);
    return true;
  }
}
