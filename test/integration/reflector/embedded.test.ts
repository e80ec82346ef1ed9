/**
 * The embedded mode (`npm start`) as a script runs it: `--exit-when-ready` exits 0 once the sample
 * rows, and the rows of the sample Debezium events file, are readable through the reader library;
 * a second run on the same data folder applies nothing twice; while it runs, a change event
 * appended to the events file reaches the LDB, GET /fleet lists its executive, loader and reflector
 * (status records kept in process), and SIGTERM stops it cleanly.
 */
import Database from 'better-sqlite3';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLdb } from '../../../lib/reader/ldb-reader.ts';
import { tempDir } from '../../support/ldb.ts';
import { kill, outputOf, spawnTs } from './child-process.ts';

const PORTS = ['--port', '0', '--reflector-port', '0', '--loader-port', '0'];

async function runEmbedded(dataDir: string): Promise<{ code: number | null; output: string }> {
  const child = spawnTs('cli/embedded.ts', ['--data-dir', dataDir, ...PORTS, '--exit-when-ready']);
  const output = await outputOf(child);
  return { code: child.exitCode, output };
}

/** Ledger entries that changed shop.widgets rows, read straight from the SQLite ctldb. */
function widgetEffects(dataDir: string): number {
  const db = new Database(join(dataDir, 'ctldb.sqlite'), { readonly: true });
  try {
    const row = db
      .prepare("SELECT COUNT(*) AS n FROM cuttle_ledger WHERE family = 'shop' AND op IN ('upsert', 'delete')")
      .get() as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

const appended = JSON.stringify({
  before: null,
  after: { id: 3, name: 'washer', price: '0.0500', in_stock: 1 },
  source: {
    connector: 'mariadb',
    name: 'shop',
    db: 'shop',
    table: 'widgets',
    snapshot: 'false',
    ts_ms: 1795300001900,
  },
  op: 'c',
  ts_ms: 1795300002000,
});

describe('embedded mode', () => {
  it('loads the sample and the Debezium events file, prints rows read from the LDB, exits; a rerun applies nothing twice', async () => {
    const dir = tempDir('cuttle-embedded-');
    try {
      const first = await runEmbedded(dir.path);
      expect(first.code, first.output).toBe(0);
      expect(first.output).toMatch(/executive API {2}http:\/\/127\.0\.0\.1:\d+/);
      expect(first.output).toContain('tenant="9007199254740993" flag="dark_mode"');
      expect(first.output).toContain('flag="Dark_Mode"');
      // The events file: a snapshot of two rows, a create, an update of the first, a delete of the second.
      expect(first.output).toContain('id=1 name="bolt" price="0.3" in_stock=1');
      expect(first.output).toContain('id="9007199254740993" name="gear ⚙️ 🚀" price="99999999.9999"');
      expect(first.output).not.toContain('name="nut"');
      expect(widgetEffects(dir.path)).toBe(5);

      const again = await runEmbedded(dir.path);
      expect(again.code, again.output).toBe(0);
      expect(again.output).toContain('sample rows of demo.feature_flags');
      expect(widgetEffects(dir.path)).toBe(5);
    } finally {
      dir.remove();
    }
  });

  it('follows the events file while running and stops cleanly on SIGTERM', async () => {
    const dir = tempDir('cuttle-embedded-');
    const child = spawnTs('cli/embedded.ts', ['--data-dir', dir.path, ...PORTS]);
    const output = outputOf(child);
    try {
      let printed = '';
      child.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
      await expect
        .poll(() => printed, { timeout: 60_000, interval: 200 })
        .toContain('running; Ctrl-C to stop');
      appendFileSync(join(dir.path, 'debezium-events.ndjson'), `${appended}\n`);
      const reader = openLdb(join(dir.path, 'ldb.db'));
      try {
        await expect
          .poll(() => reader.getRow('shop', 'widgets', { id: 3 }), { timeout: 30_000, interval: 100 })
          .toEqual({ id: 3n, name: 'washer', price: '0.05', in_stock: 1n });
      } finally {
        reader.close();
      }
      // Status records stay in the process: GET /fleet shows its three parts, live.
      const [, url, token] = /executive API {2}(\S+) {2}\(admin token (\S+);/.exec(printed) ?? [];
      const fleet = async (): Promise<string[]> => {
        const response = await fetch(`${url}/fleet`, { headers: { authorization: `Bearer ${token}` } });
        const body = (await response.json()) as { processes: { state: string; record: { role: string } }[] };
        return body.processes.map((p) => `${p.record.role} ${p.state}`);
      };
      await expect
        .poll(fleet, { timeout: 10_000, interval: 200 })
        .toEqual(['executive live', 'loader live', 'reflector live']);
      await kill(child, 'SIGTERM');
      expect(child.exitCode, await output).toBe(0);
      expect(widgetEffects(dir.path)).toBe(6);
    } finally {
      await kill(child, 'SIGKILL');
      dir.remove();
    }
  });
});
