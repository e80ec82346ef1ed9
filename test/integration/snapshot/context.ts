/** A disposable snapshot test context: a temp folder, a store, a maker and a bootstrap. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../lib/logging.ts';
import { SqliteLdbFiles } from '../../../lib/snapshot/adapters/sqlite-files.ts';
import { bootstrapLdb, type BootstrapResult } from '../../../lib/snapshot/bootstrap.ts';
import { SnapshotMaker, type SnapshotMakerOptions } from '../../../lib/snapshot/make-snapshot.ts';
import type { StalenessProbe } from '../../../lib/snapshot/position.ts';
import type { SnapshotStore } from '../../../lib/snapshot/store.ts';
import { testPosition } from './fixtures.ts';

export const freshData: StalenessProbe = () => Promise.resolve(0);

export class SnapshotTestContext {
  readonly dir: string;
  readonly store: SnapshotStore;
  readonly files = new SqliteLdbFiles();
  readonly log = silentLogger();

  private constructor(dir: string, store: SnapshotStore) {
    this.dir = dir;
    this.store = store;
  }

  static async open(makeStore: (prefix: string) => SnapshotStore): Promise<SnapshotTestContext> {
    const dir = await mkdtemp(join(tmpdir(), 'cuttle-snapshot-'));
    return new SnapshotTestContext(dir, makeStore(`test-${randomBytes(4).toString('hex')}`));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  maker(ldbPath: string, options: Partial<SnapshotMakerOptions> = {}): SnapshotMaker {
    return new SnapshotMaker(
      { store: this.store, files: this.files, log: this.log },
      {
        ldbPath,
        workDir: this.path('work'),
        position: testPosition,
        staleness: freshData,
        maxStalenessMs: 60_000,
        keep: 5,
        makerId: 'test',
        ...options,
      },
    );
  }

  bootstrap(ldbPath: string): Promise<BootstrapResult> {
    return bootstrapLdb(
      { store: this.store, files: this.files, log: this.log },
      { ldbPath, position: testPosition, download: { partSize: 256 * 1024, concurrency: 4 } },
    );
  }

  /** Deletes everything the test wrote to the store, then the local folder. */
  async dispose(): Promise<void> {
    await this.store.delete(await this.store.list(''));
    await this.disposeLocal();
  }

  async disposeLocal(): Promise<void> {
    await this.store.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
