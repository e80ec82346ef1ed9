/**
 * `SnapshotStore` on a local folder, for the embedded mode and for tests that need no S3. Keys
 * map to files under the root; writes go to a temporary sibling and are renamed into place, so a
 * reader never sees half an object. Metadata lives in `<file>.meta.json` beside the object.
 */
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { CuttleError, ensureError } from '../../errors.ts';
import { fsyncFile, siblingTempPath } from '../fs-util.ts';
import type { ObjectInfo, PutOptions, SnapshotStore } from '../store.ts';

const META_SUFFIX = '.meta.json';

function isMissing(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === 'ENOENT';
}

/** A missing file becomes `onMissing()` when given; any other failure UNAVAILABLE, like S3's. */
async function guarded<T>(what: string, call: () => Promise<T>, onMissing?: () => T): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (onMissing !== undefined && isMissing(err)) return onMissing();
    if (err instanceof CuttleError) throw err;
    throw new CuttleError('UNAVAILABLE', `snapshot folder: ${what} failed: ${ensureError(err).message}`, {
      cause: err,
    });
  }
}

export class FolderSnapshotStore implements SnapshotStore {
  readonly location: string;
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
    this.location = `file://${root}`;
  }

  putFile(key: string, path: string, options: PutOptions = {}): Promise<void> {
    return guarded(`writing ${key}`, () => this.#publish(key, options, (temp) => copyFile(path, temp)));
  }

  putBytes(key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    return guarded(`writing ${key}`, () => this.#publish(key, options, (temp) => writeFile(temp, body)));
  }

  getBytes(key: string): Promise<Uint8Array | undefined> {
    return guarded(
      `reading ${key}`,
      () => readFile(this.#path(key)),
      () => undefined,
    );
  }

  stat(key: string): Promise<ObjectInfo | undefined> {
    return guarded(
      `stat of ${key}`,
      async () => {
        const info = await stat(this.#path(key));
        const meta = await readFile(this.#path(key) + META_SUFFIX, 'utf8').catch(() => '{}');
        return { key, size: info.size, metadata: JSON.parse(meta) as Record<string, string> };
      },
      () => undefined,
    );
  }

  openRange(key: string, start: number, endExclusive: number): Promise<Readable> {
    return Promise.resolve(createReadStream(this.#path(key), { start, end: endExclusive - 1 }));
  }

  list(prefix: string): Promise<string[]> {
    return guarded(
      `listing ${prefix}`,
      async () => {
        const entries = await readdir(this.#root, { recursive: true, withFileTypes: true });
        return entries
          .filter((e) => e.isFile() && !e.name.endsWith(META_SUFFIX) && !e.name.includes('.tmp-'))
          .map((e) => relative(this.#root, join(e.parentPath, e.name)).split(sep).join('/'))
          .filter((key) => key.startsWith(prefix))
          .sort();
      },
      () => [],
    );
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      await guarded(`deleting ${key}`, async () => {
        await rm(this.#path(key), { force: true });
        await rm(this.#path(key) + META_SUFFIX, { force: true });
      });
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #path(key: string): string {
    if (key.split('/').some((part) => part === '' || part === '.' || part === '..')) {
      throw new CuttleError('BAD_REQUEST', `object key ${JSON.stringify(key)} is not a plain relative path`, {
        details: { key },
      });
    }
    return join(this.#root, ...key.split('/'));
  }

  async #publish(key: string, options: PutOptions, write: (temp: string) => Promise<void>): Promise<void> {
    const target = this.#path(key);
    await mkdir(dirname(target), { recursive: true });
    if (options.metadata !== undefined) {
      await writeFile(target + META_SUFFIX, JSON.stringify(options.metadata));
    }
    const temp = siblingTempPath(target, 'tmp');
    try {
      await write(temp);
      await fsyncFile(temp);
      await rename(temp, target);
    } finally {
      await rm(temp, { force: true });
    }
  }
}
