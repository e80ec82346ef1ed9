/**
 * The `SnapshotStore` port: the few object-store operations snapshots need, in our own words.
 * Adapters: S3 (any S3-compatible endpoint) in adapters/s3-store.ts and a local folder (embedded
 * mode, tests) in adapters/folder-store.ts. Keys are relative to the store's root and use `/`.
 */
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  /** User metadata stored with the object (S3 `x-amz-meta-*`); lower-case names. */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface PutOptions {
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface SnapshotStore {
  /** Where the store points, for logs and manifests' readers (e.g. `s3://bucket/prefix`). */
  readonly location: string;
  /** Uploads a local file; large files go up in parts. Overwrites an existing object. */
  putFile(key: string, path: string, options?: PutOptions): Promise<void>;
  /** Writes a small object (a manifest) in one request. */
  putBytes(key: string, body: Uint8Array, options?: PutOptions): Promise<void>;
  /** The whole object, or undefined when it does not exist. */
  getBytes(key: string): Promise<Uint8Array | undefined>;
  /** Size and metadata, or undefined when the object does not exist. */
  stat(key: string): Promise<ObjectInfo | undefined>;
  /** Bytes [start, endExclusive) of an object, as a stream. */
  openRange(key: string, start: number, endExclusive: number): Promise<Readable>;
  /** Every key under `prefix`, in lexicographic order. */
  list(prefix: string): Promise<string[]>;
  /** Deletes the keys; a key that does not exist is not an error. */
  delete(keys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}
