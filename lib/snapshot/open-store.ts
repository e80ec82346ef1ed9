/**
 * Opens the snapshot store a URL names: `s3://bucket[/prefix]` or `file:///absolute/folder`
 * (a bare absolute path also means a folder).
 */
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CuttleError } from '../errors.ts';
import { FolderSnapshotStore } from './adapters/folder-store.ts';
import { S3SnapshotStore } from './adapters/s3-store.ts';
import type { SnapshotStore } from './store.ts';

export interface S3Settings {
  /** S3-compatible endpoint, e.g. http://127.0.0.1:14568; unset for AWS. */
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  readonly accessKeyId?: string | undefined;
  readonly secretAccessKey?: string | undefined;
}

export type StoreLocation =
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string }
  | { readonly kind: 'folder'; readonly path: string };

export function parseStoreUrl(url: string): StoreLocation {
  if (isAbsolute(url)) return { kind: 'folder', path: url };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw badUrl(url, 'not a URL', err);
  }
  if (parsed.protocol === 'file:') return { kind: 'folder', path: fileURLToPath(parsed) };
  if (parsed.protocol === 's3:' && parsed.hostname !== '') {
    return {
      kind: 's3',
      bucket: parsed.hostname,
      prefix: decodeURIComponent(parsed.pathname).replace(/^\/+/, ''),
    };
  }
  throw badUrl(url, 'expected s3://bucket[/prefix] or file:///folder');
}

function badUrl(url: string, why: string, cause?: unknown): CuttleError {
  return new CuttleError('CONFIG_INVALID', `snapshot store URL ${JSON.stringify(url)}: ${why}`, {
    details: { url },
    retriable: false,
    cause,
  });
}

export function openSnapshotStore(url: string, s3: S3Settings = {}): SnapshotStore {
  const location = parseStoreUrl(url);
  if (location.kind === 'folder') return new FolderSnapshotStore(location.path);
  const credentials =
    s3.accessKeyId !== undefined && s3.secretAccessKey !== undefined
      ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }
      : undefined;
  return new S3SnapshotStore({
    bucket: location.bucket,
    prefix: location.prefix,
    ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
    ...(s3.region === undefined ? {} : { region: s3.region }),
    ...(credentials === undefined ? {} : { credentials }),
  });
}
