import { describe, expect, it } from 'vitest';
import {
  ReemissionFilter,
  binlogKey,
  sourceStreamName,
} from '../../../services/loader/batching/source-position.ts';

const at = (file: string, pos: number, snapshot = false) => ({ file, pos, row: 0, gtid: null, snapshot });

describe('binlogKey', () => {
  it('orders positions across binlog files as strings', () => {
    const keys = [
      at('mariadb-bin.000002', 4),
      at('mariadb-bin.000001', 999999),
      at('mariadb-bin.000002', 100000),
      at('mariadb-bin.000010', 4),
    ].map(binlogKey);
    expect([...keys].sort()).toEqual([keys[1], keys[0], keys[2], keys[3]]);
    expect(binlogKey(at('mariadb-bin.000003', 39506))).toBe('0000000003:00000000000000039506');
  });

  it('has no key for snapshot reads or unknown positions', () => {
    expect(binlogKey(at('mariadb-bin.000001', 4, true))).toBeNull();
    expect(binlogKey({ file: null, pos: null, row: null, gtid: null, snapshot: false })).toBeNull();
    expect(binlogKey(at('binlog-without-sequence', 4))).toBeNull();
    expect(binlogKey(null)).toBeNull();
  });

  it('names the stream stored next to the Kafka offset', () => {
    expect(sourceStreamName('ctl.ctl.widgets/3')).toBe('ctl.ctl.widgets/3@binlog');
  });
});

describe('ReemissionFilter', () => {
  it('drops transactions older than the latest applied one, never the latest itself', () => {
    const filter = new ReemissionFilter('0000000001:00000000000000000500');
    expect(filter.isReemitted('0000000001:00000000000000000400')).toBe(true);
    expect(filter.isReemitted('0000000001:00000000000000000500')).toBe(false);
    expect(filter.isReemitted('0000000001:00000000000000000600')).toBe(false);
    expect(filter.isReemitted('0000000001:00000000000000000600')).toBe(false);
    expect(filter.isReemitted('0000000001:00000000000000000500')).toBe(true);
    expect(filter.isReemitted(null)).toBe(false);
    expect(filter.latest).toBe('0000000001:00000000000000000600');
  });
});
