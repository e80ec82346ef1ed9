/**
 * A ctldb wrapper that injects failures into the next transaction:
 * - 'abort': the transaction fails part-way (at its n-th statement, or just before COMMIT if it
 *   has fewer), so it rolls back;
 * - 'lost-response': the transaction commits, then the call fails, as when the connection drops
 *   after COMMIT and the client never hears the outcome.
 * Both surface as a CtldbError 'unavailable' (HTTP 503), as a real outage would.
 */
import {
  CtldbError,
  type Ctldb,
  type SqlParam,
  type SqlRow,
  type SqlRunner,
  type TransactionOptions,
} from '../../../lib/ctldb/dialect.ts';

export type Fault =
  { readonly kind: 'abort'; readonly atStatement: number } | { readonly kind: 'lost-response' };

const injected = (what: string) => new CtldbError('unavailable', `injected fault: ${what}`, undefined);

export class FaultyCtldb implements Ctldb {
  readonly #inner: Ctldb;
  #next: Fault | undefined;

  constructor(inner: Ctldb) {
    this.#inner = inner;
  }

  get dialect(): Ctldb['dialect'] {
    return this.#inner.dialect;
  }

  /** The next transaction fails as described. */
  failNext(fault: Fault): void {
    this.#next = fault;
  }

  async transaction<T>(fn: (tx: SqlRunner) => Promise<T>, options?: TransactionOptions): Promise<T> {
    const fault = this.#next;
    this.#next = undefined;
    if (fault === undefined) return this.#inner.transaction(fn, options);
    if (fault.kind === 'lost-response') {
      await this.#inner.transaction(fn, options);
      throw injected('response lost after commit');
    }
    return this.#inner.transaction(
      async (tx) => {
        let statements = 0;
        const counting: SqlRunner = {
          all: (sql: string, params?: readonly SqlParam[]): Promise<SqlRow[]> => {
            if (statements++ === fault.atStatement) throw injected(`abort at statement ${fault.atStatement}`);
            return tx.all(sql, params);
          },
          run: (sql: string, params?: readonly SqlParam[]): Promise<number> => {
            if (statements++ === fault.atStatement) throw injected(`abort at statement ${fault.atStatement}`);
            return tx.run(sql, params);
          },
        };
        await fn(counting);
        throw injected('abort before commit');
      },
      { ...options, retries: 0 },
    );
  }

  all(sql: string, params?: readonly SqlParam[]): Promise<SqlRow[]> {
    return this.#inner.all(sql, params);
  }
  run(sql: string, params?: readonly SqlParam[]): Promise<number> {
    return this.#inner.run(sql, params);
  }
  ddl(sql: string): Promise<void> {
    return this.#inner.ddl(sql);
  }
  columnsOf(table: string): Promise<string[]> {
    return this.#inner.columnsOf(table);
  }
  withSchemaLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.#inner.withSchemaLock(fn);
  }
  ping(): Promise<void> {
    return this.#inner.ping();
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}
