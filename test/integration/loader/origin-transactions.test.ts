/**
 * Origin transactions stay whole through the real pipeline (origin → Debezium → Kafka → loader →
 * executive → ctldb → reflector → LDB): while multi-row, multi-statement transactions commit at
 * the origin, a reader polling the LDB never sees part of one. Every transaction moves money
 * between 200 accounts and stamps each of them with its number, so any torn state shows as rows
 * with different stamps or a total that is not 20,000.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pipeline } from './pipeline.ts';

const ACCOUNTS = 200;
const TOTAL = ACCOUNTS * 100;
const TRANSACTIONS = 25;
const pipeline = new Pipeline();

function transaction(n: number): string {
  const from = (n * 7) % ACCOUNTS;
  const to = (n * 13 + 1) % ACCOUNTS;
  // Three statements, one of them over every row, all in one origin transaction.
  return `START TRANSACTION;
    UPDATE accounts SET stamp = ${n};
    UPDATE accounts SET balance = balance - 5 WHERE id = ${from};
    UPDATE accounts SET balance = balance + 5 WHERE id = ${to};
    COMMIT`;
}

interface Observation {
  readonly stamps: readonly number[];
  readonly total: number;
  readonly rows: number;
  readonly seq: number;
}

describe('origin transactions through the whole pipeline', () => {
  beforeAll(async () => {
    const rows = Array.from({ length: ACCOUNTS }, (_, i) => `(${i}, 100, 0, '${'x'.repeat(200)}')`).join(
      ', ',
    );
    await pipeline.open({
      format: 'json',
      setup: [
        'CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL, stamp INT NOT NULL, note VARCHAR(250))',
        `INSERT INTO accounts VALUES ${rows}`,
      ],
      tables: [{ table: 'accounts', family: 'bank' }],
      wakeUps: true,
    });
  });

  afterAll(async () => {
    await pipeline.close();
  });

  it('never lets a reader of the LDB see part of an origin transaction', async () => {
    const { family, table } = pipeline.target('accounts');
    // The initial snapshot is no origin transaction: it may arrive in several batches.
    await expect
      .poll(() => pipeline.reader.rowsByPrefix(family, table, []).length, { timeout: 60_000, interval: 100 })
      .toBe(ACCOUNTS);
    const torn: Observation[] = [];
    const seen = new Set<number>();
    let polling = true;
    const reader = (async () => {
      while (polling) {
        const rows = pipeline.reader.rowsByPrefix(family, table, []);
        if (rows.length > 0) {
          const stamps = new Set(rows.map((r) => Number(r.stamp)));
          const total = rows.reduce((n, r) => n + Number(r.balance), 0);
          for (const s of stamps) seen.add(s);
          if (stamps.size !== 1 || total !== TOTAL || rows.length !== ACCOUNTS)
            torn.push({ stamps: [...stamps], total, rows: rows.length, seq: pipeline.reader.lastSeq() });
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    try {
      for (let n = 1; n <= TRANSACTIONS; n++) {
        await pipeline.origin.exec(transaction(n));
        await new Promise((resolve) => setTimeout(resolve, 20 + (n % 5) * 15));
      }
      await expect
        .poll(() => pipeline.reader.getRow(family, table, [0])?.stamp, { timeout: 60_000, interval: 100 })
        .toBe(BigInt(TRANSACTIONS));
    } finally {
      polling = false;
      await reader;
    }
    expect(torn).toEqual([]);
    // The reader saw the transactions go by, not only the end state.
    expect(seen.size).toBeGreaterThan(TRANSACTIONS / 2);
  });
});
