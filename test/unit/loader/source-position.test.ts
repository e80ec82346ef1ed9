import { describe, expect, it } from 'vitest';
import {
  ReemissionFilter,
  binlogKey,
  sourceStreamName,
} from '../../../services/loader/batching/source-position.ts';
import type { SourcePosition } from '../../../services/loader/decode/change-record.ts';

const at = (
  file: string,
  pos: number,
  row = 0,
  txOrder: number | null = null,
  snapshot = false,
): SourcePosition => ({
  file,
  pos,
  row,
  gtid: null,
  snapshot,
  txOrder,
});

describe('binlogKey', () => {
  it('orders positions across binlog files, events and rows as strings', () => {
    const positions = [
      at('mariadb-bin.000002', 4),
      at('mariadb-bin.000001', 999999),
      at('mariadb-bin.000002', 4, 1),
      at('mariadb-bin.000010', 4),
    ];
    const keys = positions.map(binlogKey);
    expect([...keys].sort()).toEqual([keys[1], keys[0], keys[2], keys[3]]);
    expect(binlogKey(at('mariadb-bin.000003', 39506, 7))).toBe('0000000003:00000000000000039506:0000000007');
    expect(binlogKey(at('mariadb-bin.000003', 39506, 7, 12))).toBe(
      '0000000003:00000000000000039506:0000000007:0000000012',
    );
  });

  it('has no key for snapshot reads or unknown positions', () => {
    expect(binlogKey(at('mariadb-bin.000001', 4, 0, null, true))).toBeNull();
    expect(
      binlogKey({ file: null, pos: null, row: null, gtid: null, snapshot: false, txOrder: null }),
    ).toBeNull();
    expect(binlogKey(at('binlog-without-sequence', 4))).toBeNull();
    expect(binlogKey(null)).toBeNull();
  });

  it('names the stream stored next to the Kafka offset', () => {
    expect(sourceStreamName('ctl.ctl.widgets/3')).toBe('ctl.ctl.widgets/3@binlog');
  });
});

describe('ReemissionFilter', () => {
  const key = (pos: number, row: number, order: number | null = null) =>
    binlogKey(at('mariadb-bin.000001', pos, row, order));

  it('without transaction ordinals drops what is strictly older and lets an equal position through', () => {
    const filter = new ReemissionFilter(key(500, 0));
    expect(filter.isReemitted(key(400, 3))).toBe(true);
    expect(filter.isReemitted(key(500, 0))).toBe(false);
    expect(filter.isReemitted(key(500, 1))).toBe(false);
    // The delete and create of a primary-key change share a position: both pass.
    expect(filter.isReemitted(key(600, 0))).toBe(false);
    expect(filter.isReemitted(key(600, 0))).toBe(false);
    expect(filter.isReemitted(key(500, 1))).toBe(true);
    expect(filter.isReemitted(null)).toBe(false);
    expect(filter.latest).toBe(key(600, 0));
  });

  it('with transaction ordinals drops every event already applied, the latest included', () => {
    const filter = new ReemissionFilter(null);
    expect(filter.isReemitted(key(600, 0, 4))).toBe(false);
    expect(filter.isReemitted(key(600, 0, 5))).toBe(false);
    expect(filter.isReemitted(key(600, 0, 5))).toBe(true);
    expect(filter.isReemitted(key(600, 0, 4))).toBe(true);
    expect(filter.isReemitted(key(700, 0, 1))).toBe(false);
  });
});
