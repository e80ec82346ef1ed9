/**
 * Chaos invariant "after quiescing, ctldb equals the origin", broken by a chaos run: ctldb was
 * restarted while the loaders polled the source registry; one failed read left the loader's
 * refresh chain on a rejected promise, so every later refresh repeated that old error without
 * reading again. The loader never learned the column an ADD COLUMN added to its mapping, and
 * the table's partition waited for it forever. A failed refresh must not stop the next one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadLoaderConfig } from '../../../services/loader/config.ts';
import { createLoader, type Loader } from '../../../services/loader/loader.ts';

describe('invariant: the loader converges after a failed read of its sources', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('reads the sources again after a read that failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cuttle-loader-sources-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'sources.json');
    writeFileSync(file, '{ not json');
    const config = { ...loadLoaderConfig({ LOADER_SECRET: 'secret' }), sourcesFile: file, httpPort: 0 };
    const loader: Loader = createLoader(config);
    cleanups.push(() => loader.stop());
    await expect(loader.refreshSources()).rejects.toThrow();
    writeFileSync(file, '[]');
    await expect(loader.refreshSources()).resolves.toBe(true);
    expect(loader.topics).toEqual([]);
  });
});
