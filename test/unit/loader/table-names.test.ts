import { describe, expect, it } from 'vitest';
import { connectorConfig } from '../../../services/loader/sources/connector-config.ts';
import { parseSecretRef } from '../../../services/loader/sources/secret-ref.ts';
import {
  escapeRegex,
  includeListEntry,
  isLegalTopic,
  requireCarriableNames,
  tableNameProblem,
} from '../../../services/loader/sources/table-names.ts';
import { thrownCuttleError } from '../../support/errors.ts';

describe('table names a source can carry', () => {
  it('accepts names of topic-legal characters without a dot', () => {
    expect(tableNameProblem('shop', 'ctl', 'Order_Lines-2024')).toBeUndefined();
  });

  it('refuses regex, topic-illegal and separator characters, naming the table and the rule', () => {
    for (const table of ['a$b', 'price list', 'x.y', 'a,b', 'ünï', 'a(1)', 'q?']) {
      expect(tableNameProblem('shop', 'ctl', table)).toMatch(
        /^table name .* holds .*: Kafka topic names .* allow only a-z, A-Z, 0-9, _ and -/,
      );
    }
    expect(tableNameProblem('shop', 'my db', 'ok')).toMatch(/^database name "my db" holds " "/);
  });

  it('refuses a topic longer than Kafka allows', () => {
    // shop.ctl. is 9 characters: 240 more make 249.
    expect(tableNameProblem('shop', 'ctl', 'a'.repeat(241))).toMatch(
      /is 250 characters long; Kafka allows 249/,
    );
    expect(tableNameProblem('shop', 'ctl', 'a'.repeat(240))).toBeUndefined();
  });

  it('throws INVALID_NAME listing every bad table at once', () => {
    const error = thrownCuttleError(() =>
      requireCarriableNames('shop', [
        { database: 'ctl', table: 'good' },
        { database: 'ctl', table: 'a$b' },
        { database: 'ctl', table: 'c d' },
      ]),
    );
    expect(error.code).toBe('INVALID_NAME');
    expect(error.details).toMatchObject({ tables: ['ctl.a$b', 'ctl.c d'] });
    expect(error.message).toContain('ctl.a$b');
    expect(error.message).toContain('ctl.c d');
  });

  it('tells legal topics from the ones Kafka refuses', () => {
    expect(isLegalTopic('shop.ctl.orders')).toBe(true);
    expect(isLegalTopic('shop.ctl.a$b')).toBe(false);
    expect(isLegalTopic('..')).toBe(false);
    expect(isLegalTopic('x'.repeat(250))).toBe(false);
  });

  it('escapes regex metacharacters so an include-list entry matches only its own table', () => {
    expect(escapeRegex('a.b$c(d)[e]{f}|g*h+i?j^k\\l')).toBe(
      'a\\.b\\$c\\(d\\)\\[e\\]\\{f\\}\\|g\\*h\\+i\\?j\\^k\\\\l',
    );
    const pattern = new RegExp(`^${includeListEntry('ctl', 'a.b')}$`);
    expect(pattern.test('ctl.a.b')).toBe(true);
    expect(pattern.test('ctl.aXb')).toBe(false);
  });

  it('writes escaped include lists and message.key.columns for tables given key columns', () => {
    const properties = connectorConfig({
      source: 'shop',
      origin: { host: 'o', port: 3306, user: 'u', password: parseSecretRef('env:PW'), database: 'ctl' },
      tables: ['orders', 'log_lines'],
      keyColumns: { log_lines: ['host', 'seq'] },
      format: 'json',
      encodings: {
        decimalHandlingMode: 'string',
        binaryHandlingMode: 'base64',
        timePrecisionMode: 'adaptive_time_microseconds',
        bigintUnsignedHandlingMode: 'long',
      },
      kafkaBrokers: ['k:9092'],
    });
    expect(properties['table.include.list']).toBe('ctl\\.orders,ctl\\.log_lines');
    expect(properties['message.key.columns']).toBe('ctl\\.log_lines:host,seq');
  });
});
