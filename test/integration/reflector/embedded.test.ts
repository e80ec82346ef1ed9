/**
 * The embedded mode (`npm start`) as a script runs it: `--exit-when-ready` exits 0 once the sample
 * rows are readable through the reader library, and a second run on the same data folder works.
 */
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../support/ldb.ts';
import { outputOf, spawnTs } from './child-process.ts';

async function runEmbedded(dataDir: string): Promise<{ code: number | null; output: string }> {
  const child = spawnTs('cli/embedded.ts', [
    '--data-dir',
    dataDir,
    '--port',
    '0',
    '--reflector-port',
    '0',
    '--exit-when-ready',
  ]);
  const output = await outputOf(child);
  return { code: child.exitCode, output };
}

describe('embedded mode', () => {
  it('starts the executive on SQLite and a reflector, loads the sample, prints rows read from the LDB, exits', async () => {
    const dir = tempDir('cuttle-embedded-');
    try {
      const first = await runEmbedded(dir.path);
      expect(first.code, first.output).toBe(0);
      expect(first.output).toMatch(/executive API {2}http:\/\/127\.0\.0\.1:\d+/);
      expect(first.output).toContain('tenant="9007199254740993" flag="dark_mode"');
      expect(first.output).toContain('flag="Dark_Mode"');
      const again = await runEmbedded(dir.path);
      expect(again.code, again.output).toBe(0);
      expect(again.output).toContain('sample rows of demo.feature_flags');
    } finally {
      dir.remove();
    }
  });
});
