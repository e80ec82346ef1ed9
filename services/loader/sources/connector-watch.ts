/**
 * Watches each source's Debezium connector in Kafka Connect. A connector, or one of its tasks,
 * that has FAILED sends nothing more to its topics, and the loader would wait on them looking
 * healthy. The watch names the problem so that exactly that source is reported down: readiness,
 * /status and cuttle_loader_source_up. A connector this Connect does not know (a source whose
 * connector is run elsewhere, or under another name) and Connect being unreachable say nothing
 * about the source's health, so they change nothing (and are logged).
 */
import { ensureError } from '../../../lib/errors.ts';
import type { Logger } from '../../../lib/logging.ts';
import type { ConnectorStatus } from '../../../lib/sources/connect-client.ts';

/** The connector's status as Connect reports it; null when Connect does not know the connector. */
export type ConnectorStatusReader = (connector: string) => Promise<ConnectorStatus | null>;

const MAX_TRACE_CHARS = 300;

/** Why this status means the source gets no more changes; undefined while the connector runs. */
export function connectorProblem(connector: string, status: ConnectorStatus): string | undefined {
  if (status.connector.state === 'FAILED') return `connector ${connector} FAILED`;
  const failed = status.tasks.find((task) => task.state === 'FAILED');
  if (failed === undefined) return undefined;
  const cause = (failed.trace ?? '').split('\n', 1)[0]?.slice(0, MAX_TRACE_CHARS) ?? '';
  return `connector ${connector} task ${failed.id} FAILED${cause === '' ? '' : `: ${cause}`}`;
}

export interface ConnectorWatchOptions {
  readonly read: ConnectorStatusReader;
  readonly everyMs: number;
  /** The sources followed now; each one's connector has the source's name. */
  readonly sources: () => Iterable<string>;
  /** Called after every successful look: the problem, or undefined when the connector runs. */
  readonly report: (source: string, problem: string | undefined) => void;
  readonly log: Logger;
}

export class ConnectorWatch {
  readonly #options: ConnectorWatchOptions;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> = Promise.resolve();
  /** Sources whose connector Connect did not know at the last look (logged once each). */
  readonly #unknown = new Set<string>();

  constructor(options: ConnectorWatchOptions) {
    this.#options = options;
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#checking = this.#checking.then(() => this.check());
    }, this.#options.everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#checking;
  }

  /** Looks at every source's connector once; never throws. */
  async check(): Promise<void> {
    for (const source of [...this.#options.sources()]) {
      let status: ConnectorStatus | null;
      try {
        status = await this.#options.read(source);
      } catch (err) {
        this.#options.log.warn(
          { source, err: ensureError(err).message },
          'Kafka Connect did not answer: connector states unknown',
        );
        return;
      }
      if (status === null) {
        if (!this.#unknown.has(source))
          this.#options.log.warn({ source }, 'Kafka Connect has no connector named after this source');
        this.#unknown.add(source);
        this.#options.report(source, undefined);
        continue;
      }
      this.#unknown.delete(source);
      this.#options.report(source, connectorProblem(source, status));
    }
  }
}
