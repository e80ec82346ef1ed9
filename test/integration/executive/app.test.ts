/** createExecutive from configuration alone, as main.ts and the embedded mode use it. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCtldb } from '../../../lib/ctldb/open.ts';
import { CuttleError } from '../../../lib/errors.ts';
import { InProcessLedgerNotifier } from '../../../lib/ledger/notifier.ts';
import { createExecutive } from '../../../services/executive/app.ts';
import { loadExecutiveConfig } from '../../../services/executive/config.ts';
import { testExecutiveConfig } from '../../support/executive.ts';

describe('createExecutive', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'cuttle-app-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('opens and migrates its own SQLite ctldb, wakes in-process followers, and closes it', async () => {
    const path = join(folder, 'ctldb.sqlite');
    const notifier = new InProcessLedgerNotifier();
    const seen: number[] = [];
    notifier.subscribe((seq) => seen.push(seq));
    for (let start = 0; start < 2; start++) {
      const executive = await createExecutive(
        testExecutiveConfig({ ctldbDriver: 'sqlite', ctldbPath: path }),
        { notifier },
      );
      const ready = await fetch(new URL('/readyz', executive.url));
      expect(ready.status).toBe(200);
      const created = await fetch(new URL(`/families/fam${start}x`, executive.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${executive.adminToken}` },
      });
      expect(created.status).toBe(201);
      const table = await fetch(new URL(`/families/fam${start}x/tables/things`, executive.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${executive.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ fields: [['id', 'integer']], keyFields: ['id'] }),
      });
      expect(table.status).toBe(201);
      await executive.close();
    }
    expect(seen).toEqual([1, 2]);
    const ctldb = await openCtldb({ driver: 'sqlite', path }, { runMigrations: false });
    expect(
      (await ctldb.all('SELECT id FROM cuttle_migrations ORDER BY id')).map((r) => Number(r.id)),
    ).toEqual([1, 2, 3]);
    await ctldb.close();
  });

  it('refuses a configuration without a ctldb to open', async () => {
    const config = { ...loadExecutiveConfig({ EXECUTIVE_CTLDB_DRIVER: 'mysql' }), port: 0 };
    await expect(createExecutive(config)).rejects.toBeInstanceOf(CuttleError);
    expect(() => loadExecutiveConfig({ EXECUTIVE_PORT: 'eighty' })).toThrow(/EXECUTIVE_PORT/);
  });
});
