/**
 * `cuttle snapshots list | show | verify | restore`: what the supervisors published, whether it
 * is usable, and a restore of one snapshot to a path.
 *
 * The store comes from `--store` (or CUTTLE_SNAPSHOT_URL): `s3://bucket/prefix` or a folder. An
 * S3-compatible endpoint comes from `--s3-endpoint` (or CUTTLE_S3_ENDPOINT); static credentials
 * from CUTTLE_S3_ACCESS_KEY_ID / CUTTLE_S3_SECRET_ACCESS_KEY, else the AWS default chain.
 */
import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CuttleError, isCuttleError } from '../lib/errors.ts';
import { SqliteLdbFiles } from '../lib/snapshot/adapters/sqlite-files.ts';
import { listCatalog, readLatest, readManifest, type CatalogEntry } from '../lib/snapshot/catalog.ts';
import { LDB_POSITION } from '../lib/snapshot/ldb-position.ts';
import { manifestKeyFor, type Manifest } from '../lib/snapshot/manifest.ts';
import { openSnapshotStore } from '../lib/snapshot/open-store.ts';
import { restoreSnapshot, type RestoreResult } from '../lib/snapshot/restore.ts';
import type { SnapshotStore } from '../lib/snapshot/store.ts';
import { renderTable, type CliContext } from './context.ts';

interface StoreOptions {
  readonly store?: string;
  readonly s3Endpoint?: string;
  readonly s3Region?: string;
}

function openStore(options: StoreOptions): SnapshotStore {
  if (options.store === undefined) {
    throw new CuttleError('CONFIG_INVALID', 'no snapshot store: pass --store or set CUTTLE_SNAPSHOT_URL');
  }
  return openSnapshotStore(options.store, {
    endpoint: options.s3Endpoint,
    region: options.s3Region,
    accessKeyId: process.env.CUTTLE_S3_ACCESS_KEY_ID,
    secretAccessKey: process.env.CUTTLE_S3_SECRET_ACCESS_KEY,
  });
}

async function withStore<T>(options: StoreOptions, use: (store: SnapshotStore) => Promise<T>): Promise<T> {
  const store = openStore(options);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** `latest`, a seq (the newest snapshot at it), or a manifest or snapshot key. */
async function resolveRef(store: SnapshotStore, ref: string): Promise<Manifest> {
  let entry: CatalogEntry | undefined;
  if (ref === 'latest') entry = await readLatest(store);
  else if (/^\d+$/.test(ref)) {
    entry = (await listCatalog(store)).find((e) => e.ok && e.manifest.seq === Number(ref));
  } else {
    entry = await readManifest(store, ref.startsWith('snapshots/') ? manifestKeyFor(ref) : ref);
  }
  if (entry?.ok === true) return entry.manifest;
  throw new CuttleError('SNAPSHOT_NOT_FOUND', `no usable snapshot ${ref} in ${store.location}`, {
    details: { ref, reason: entry?.ok === false ? entry.reason : 'no manifest with that seq' },
  });
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function listRows(entries: readonly CatalogEntry[], latestKey: string | undefined): string[][] {
  return entries.map((e) => {
    if (!e.ok) return ['!', '-', '-', '-', '-', '-', `${e.manifestKey}: ${e.reason}`];
    const m = e.manifest;
    const mark = m.key === latestKey ? '*' : '';
    return [
      mark,
      String(m.seq),
      m.createdAt,
      mib(m.size),
      mib(m.compressedSize),
      `${m.stalenessMs} ms`,
      m.key,
    ];
  });
}

function restoreTo(store: SnapshotStore, manifest: Manifest, target: string): Promise<RestoreResult> {
  return restoreSnapshot({ store, files: new SqliteLdbFiles() }, manifest, target, {
    position: LDB_POSITION,
  });
}

interface Verdict {
  readonly seq: number;
  readonly key: string;
  readonly ok: boolean;
  readonly problem?: string;
}

/** Restores each snapshot into a scratch folder and throws it away: every check, nothing kept. */
async function verifyAll(store: SnapshotStore, manifests: readonly Manifest[]): Promise<Verdict[]> {
  const scratch = await mkdtemp(join(tmpdir(), 'cuttle-verify-'));
  const verdicts: Verdict[] = [];
  try {
    for (const manifest of manifests) {
      const target = join(scratch, `${manifest.seq}.ldb`);
      try {
        await restoreTo(store, manifest, target);
        verdicts.push({ seq: manifest.seq, key: manifest.key, ok: true });
      } catch (err) {
        if (!isCuttleError(err)) throw err;
        verdicts.push({
          seq: manifest.seq,
          key: manifest.key,
          ok: false,
          problem: `${err.code}: ${err.message}`,
        });
      } finally {
        await rm(target, { force: true });
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return verdicts;
}

export function snapshotsCommand(ctx: CliContext): Command {
  const command = new Command('snapshots')
    .description('list, inspect, verify and restore LDB snapshots')
    .addOption(new Option('--store <url>', 's3://bucket/prefix or a folder').env('CUTTLE_SNAPSHOT_URL'))
    .addOption(new Option('--s3-endpoint <url>', 'S3-compatible endpoint').env('CUTTLE_S3_ENDPOINT'))
    .addOption(new Option('--s3-region <region>', 'S3 region (default us-east-1)').env('CUTTLE_S3_REGION'));
  const opts = (): StoreOptions => command.opts<StoreOptions>();

  command
    .command('list')
    .description('every snapshot, newest first (* marks the one latest.json names)')
    .action(() =>
      withStore(opts(), async (store) => {
        const [entries, latest] = await Promise.all([listCatalog(store), readLatest(store)]);
        const latestKey = latest.ok ? latest.manifest.key : undefined;
        const headers = ['', 'SEQ', 'CREATED', 'SIZE', 'COMPRESSED', 'STALENESS', 'KEY'];
        ctx.print({ latest: latest.ok ? latest.manifest : null, entries }, () =>
          renderTable(headers, listRows(entries, latestKey)),
        );
      }),
    );

  command
    .command('show')
    .description('print a manifest')
    .argument('[ref]', 'latest, a seq, or a manifest or snapshot key', 'latest')
    .action((ref: string) =>
      withStore(opts(), async (store) => {
        const manifest = await resolveRef(store, ref);
        ctx.io.out(JSON.stringify(manifest, null, 2));
      }),
    );

  command
    .command('verify')
    .description('download, check size and SHA-256, decompress and quick_check, keeping nothing')
    .argument('[ref]', 'latest, a seq, or a key', 'latest')
    .option('--all', 'verify every snapshot')
    .action((ref: string, options: { all?: boolean }) =>
      withStore(opts(), async (store) => {
        const manifests =
          options.all === true
            ? (await listCatalog(store)).flatMap((e) => (e.ok ? [e.manifest] : []))
            : [await resolveRef(store, ref)];
        const verdicts = await verifyAll(store, manifests);
        ctx.print(verdicts, () =>
          verdicts
            .map(
              (v) =>
                `${v.ok ? 'ok' : 'FAILED'}  seq ${v.seq}  ${v.key}${v.problem === undefined ? '' : `  ${v.problem}`}`,
            )
            .join('\n'),
        );
        const failed = verdicts.filter((v) => !v.ok).length;
        if (failed > 0) {
          throw new CuttleError(
            'SNAPSHOT_INVALID',
            `${failed} of ${verdicts.length} snapshots failed verification`,
            {
              details: { failed: verdicts.filter((v) => !v.ok) },
            },
          );
        }
      }),
    );

  command
    .command('restore')
    .description('restore a snapshot to an LDB file')
    .argument('<ref>', 'latest, a seq, or a key')
    .argument('<path>', 'the LDB file to write')
    .option('--force', 'replace an existing file')
    .action((ref: string, path: string, options: { force?: boolean }) =>
      withStore(opts(), async (store) => {
        const target = resolve(path);
        if (existsSync(target) && options.force !== true) {
          throw new CuttleError('BAD_REQUEST', `${target} exists; pass --force to replace it`, {
            details: { path: target },
          });
        }
        const result = await restoreTo(store, await resolveRef(store, ref), target);
        ctx.print(
          { seq: result.seq, key: result.manifest.key, path: target },
          () => `restored seq ${result.seq} from ${result.manifest.key} to ${target}`,
        );
      }),
    );
  return command;
}
