import { describe, expect, it } from 'vitest';
import { connectorConfig } from '../../../services/loader/sources/connector-config.ts';
import {
  connectPlaceholder,
  parseSecretRef,
  resolveSecretRef,
  type SecretSources,
} from '../../../services/loader/sources/secret-ref.ts';
import { redactProperties } from '../../../services/loader/sources/source-record.ts';
import { thrownCuttleError } from '../../support/errors.ts';

const files = (byPath: Record<string, string>): SecretSources => ({
  env: { ORIGIN_PW: 'from-env', EMPTY: '' },
  readFile: (path) => byPath[path],
});

describe('secret references', () => {
  it('parses env and file references into Connect placeholders', () => {
    expect(connectPlaceholder(parseSecretRef('env:ORIGIN_PW'))).toBe('${env:ORIGIN_PW}');
    expect(connectPlaceholder(parseSecretRef('file:/etc/cuttle/shop.properties:password'))).toBe(
      '${file:/etc/cuttle/shop.properties:password}',
    );
    // The key is after the last colon; the path may hold colons.
    expect(parseSecretRef('file:/run/a:b/origin.properties:pw')).toEqual({
      kind: 'file',
      path: '/run/a:b/origin.properties',
      key: 'pw',
    });
  });

  it.each([
    ['dbz', 'names no provider'],
    ['vault:secret/shop', 'names no provider'],
    ['env:', 'does not name an environment variable'],
    ['env:ORIGIN-PW', 'does not name an environment variable'],
    ['file:relative.properties:pw', 'needs an absolute path'],
    ['file:/etc/origin.properties', 'needs an absolute path and a key'],
    ['file:/etc/origin.properties:', 'has no valid key'],
    ['file:/etc/{x}.properties:pw', 'has braces'],
  ])('refuses %j with INVALID_SECRET_REF', (text, why) => {
    const error = thrownCuttleError(() => parseSecretRef(text));
    expect(error.code).toBe('INVALID_SECRET_REF');
    expect(error.message).toContain(why);
  });

  it('resolves env references, an empty value included, and names a missing variable', () => {
    const sources = files({});
    expect(resolveSecretRef(parseSecretRef('env:ORIGIN_PW'), sources)).toBe('from-env');
    expect(resolveSecretRef(parseSecretRef('env:EMPTY'), sources)).toBe('');
    const error = thrownCuttleError(() => resolveSecretRef(parseSecretRef('env:NOPE'), sources));
    expect(error.code).toBe('SECRET_UNRESOLVED');
    expect(error.message).toContain('environment variable NOPE is not set');
  });

  it('reads a properties file as java.util.Properties does', () => {
    const text = [
      '# comment',
      '! also a comment',
      'user = debezium',
      'password=first',
      'password: p\\u00e4ss\\\\w=rd:#x ',
      'spaced value with spaces',
      'continued=line \\',
      '  more',
    ].join('\n');
    const sources = files({ '/s.properties': text });
    const read = (key: string) => resolveSecretRef(parseSecretRef(`file:/s.properties:${key}`), sources);
    expect(read('user')).toBe('debezium');
    // The last line for a key wins; escapes are decoded; trailing spaces belong to the value.
    expect(read('password')).toBe('päss\\w=rd:#x ');
    expect(read('spaced')).toBe('value with spaces');
    expect(() => read('continued')).toThrow('continues on the next line');
    expect(thrownCuttleError(() => read('missing')).code).toBe('SECRET_UNRESOLVED');
    expect(() => resolveSecretRef(parseSecretRef('file:/none.properties:pw'), sources)).toThrow(
      'does not exist',
    );
  });

  it('puts only the placeholder in the connector config, and keeps it visible when redacting', () => {
    const properties = connectorConfig({
      source: 'shop',
      origin: {
        host: 'origin',
        port: 3306,
        user: 'debezium',
        password: parseSecretRef('env:ORIGIN_PW'),
        database: 'shop',
      },
      tables: ['widgets'],
      format: 'json',
      encodings: {
        decimalHandlingMode: 'string',
        binaryHandlingMode: 'base64',
        timePrecisionMode: 'adaptive_time_microseconds',
        bigintUnsignedHandlingMode: 'long',
      },
      kafkaBrokers: ['kafka:9092'],
    });
    expect(properties['database.password']).toBe('${env:ORIGIN_PW}');
    expect(JSON.stringify(properties)).not.toContain('from-env');
    expect(redactProperties(properties)['database.password']).toBe('${env:ORIGIN_PW}');
    expect(redactProperties({ 'database.password': 'plain', 'x.secret': 'y' })).toEqual({
      'database.password': '[redacted]',
      'x.secret': '[redacted]',
    });
  });
});
