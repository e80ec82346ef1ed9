import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  writerSecretPlaces,
  writerSecretVariable,
  writerSecretsFrom,
} from '../../../services/loader/writer-secrets.ts';

describe('per-source writer secrets', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('names the variable after the writer, upper case, other characters as _', () => {
    expect(writerSecretVariable('source.shop-eu')).toBe('CUTTLE_WRITER_SECRET_SOURCE_SHOP_EU');
    expect(writerSecretVariable('source.a_b:c')).toBe('CUTTLE_WRITER_SECRET_SOURCE_A_B_C');
  });

  it('reads the variable first, then the file named after the writer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cuttle-writer-secrets-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'source.files'), 'from-file\n');
    writeFileSync(join(dir, 'source.both'), 'not-this');
    const secrets = writerSecretsFrom({ CUTTLE_WRITER_SECRET_SOURCE_BOTH: 'from-env' }, dir);
    expect(secrets('source.both')).toBe('from-env');
    expect(secrets('source.files')).toBe('from-file');
    expect(secrets('source.none')).toBeUndefined();
    expect(writerSecretsFrom({}, undefined)('source.files')).toBeUndefined();
    expect(writerSecretPlaces('source.none', dir)).toBe(
      `CUTTLE_WRITER_SECRET_SOURCE_NONE or the file ${join(dir, 'source.none')}`,
    );
  });
});
