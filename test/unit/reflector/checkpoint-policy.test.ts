import { describe, expect, it } from 'vitest';
import { decideCheckpoint, resolvePolicy, WalCheckpointer } from '../../../lib/ldb/checkpoint-policy.ts';
import { openSqlite } from '../../../lib/ldb/sqlite-adapter.ts';

const policy = resolvePolicy({
  passiveEveryBytes: 1000,
  passiveEveryMs: 500,
  maxWalBytes: 10_000,
  escalationRetryMs: 2000,
});
const state = {
  walBytes: 0,
  walBytesAfterLastCheckpoint: 0,
  msSinceLastCheckpoint: 0,
  msSinceLastEscalation: Infinity,
};

describe('decideCheckpoint', () => {
  it('does nothing while the WAL is small and recent', () => {
    expect(decideCheckpoint({ ...state, walBytes: 999, msSinceLastCheckpoint: 499 }, policy)).toBeNull();
  });
  it('runs PASSIVE after enough growth or enough time', () => {
    expect(decideCheckpoint({ ...state, walBytes: 1500, walBytesAfterLastCheckpoint: 400 }, policy)).toBe(
      'PASSIVE',
    );
    expect(decideCheckpoint({ ...state, walBytes: 10, msSinceLastCheckpoint: 500 }, policy)).toBe('PASSIVE');
  });
  it('escalates to TRUNCATE above the bound, at most once per retry interval', () => {
    expect(decideCheckpoint({ ...state, walBytes: 10_001 }, policy)).toBe('TRUNCATE');
    expect(
      decideCheckpoint(
        { ...state, walBytes: 10_001, msSinceLastEscalation: 1999, msSinceLastCheckpoint: 600 },
        policy,
      ),
    ).toBe('PASSIVE');
  });
});

describe('WalCheckpointer', () => {
  it('runs the checkpoint SQLite reports and restores the busy timeout after TRUNCATE', () => {
    const db = openSqlite(':memory:', { busyTimeoutMs: 1234 });
    let size = 20_000;
    const checkpointer = new WalCheckpointer(db, () => size, { ...policy, busyTimeoutMs: 1234 }, 0);
    const result = checkpointer.afterCommit(10);
    expect(result?.mode).toBe('TRUNCATE');
    expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    size = 100;
    expect(checkpointer.afterCommit(20)).toBeNull();
    expect(checkpointer.walBytes).toBe(100);
  });
});
