/**
 * `SnapshotStore` on S3 or any S3-compatible server (@aws-sdk/client-s3; multipart uploads with
 * parts streamed from disk, see s3-multipart.ts). Checksums are computed only where the API requires them
 * (`WHEN_REQUIRED`): our own SHA-256 covers the object end to end, and emulators such as s3rver
 * and older S3Proxy reject the SDK's default trailing checksums (docs/real-stack.md section 4).
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { CuttleError } from '../../errors.ts';
import type { ObjectInfo, PutOptions, SnapshotStore } from '../store.ts';
import { uploadFile } from './s3-multipart.ts';

export interface S3StoreOptions {
  readonly bucket: string;
  /** Key prefix under which everything lives, e.g. `cuttle/prod`. @defaultValue '' */
  readonly prefix?: string;
  /** Custom endpoint (S3-compatible servers); path-style addressing is then used. */
  readonly endpoint?: string;
  /** @defaultValue 'us-east-1' */
  readonly region?: string;
  /** Static credentials; without them the SDK's default chain (env, profile, role) applies. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Multipart part size in bytes (at least 5 MiB). @defaultValue 8 MiB */
  readonly partSize?: number;
  /** Parts uploaded in parallel. @defaultValue 4 */
  readonly queueSize?: number;
}

function isNotFound(err: unknown): boolean {
  return err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404;
}

/** Every failure of the store reaches callers as UNAVAILABLE (retriable), naming what failed. */
function unavailable(what: string, err: unknown): CuttleError {
  const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new CuttleError('UNAVAILABLE', `S3 ${what} failed: ${why}`, { cause: err, details: { what } });
}

/** Runs one store call; a 404 becomes `onMissing` when given, anything else UNAVAILABLE. */
async function guarded<T>(what: string, call: () => Promise<T>, onMissing?: () => T): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (onMissing !== undefined && isNotFound(err)) return onMissing();
    if (err instanceof CuttleError) throw err;
    throw unavailable(what, err);
  }
}

export class S3SnapshotStore implements SnapshotStore {
  readonly location: string;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #root: string;
  readonly #partSize: number;
  readonly #queueSize: number;

  constructor(options: S3StoreOptions) {
    this.#bucket = options.bucket;
    const trimmed = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.#root = trimmed === '' ? '' : `${trimmed}/`;
    this.location = `s3://${options.bucket}/${this.#root}`;
    this.#partSize = options.partSize ?? 8 * 1024 * 1024;
    this.#queueSize = options.queueSize ?? 4;
    this.#client = new S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint, forcePathStyle: true }),
      ...(options.credentials === undefined ? {} : { credentials: { ...options.credentials } }),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async putFile(key: string, path: string, options: PutOptions = {}): Promise<void> {
    const target = {
      client: this.#client,
      bucket: this.#bucket,
      key: this.#root + key,
      headers: this.#headers(options),
      partSize: this.#partSize,
      concurrency: this.#queueSize,
    };
    await guarded(`upload of ${key}`, () => uploadFile(target, path));
  }

  async putBytes(key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    const command = new PutObjectCommand({ ...this.#at(key), Body: body, ...this.#headers(options) });
    await guarded(`put of ${key}`, () => this.#client.send(command));
  }

  getBytes(key: string): Promise<Uint8Array | undefined> {
    return guarded(
      `get of ${key}`,
      async () => {
        const out = await this.#client.send(new GetObjectCommand(this.#at(key)));
        return out.Body === undefined ? new Uint8Array() : await out.Body.transformToByteArray();
      },
      () => undefined,
    );
  }

  stat(key: string): Promise<ObjectInfo | undefined> {
    return guarded(
      `head of ${key}`,
      async () => {
        const out = await this.#client.send(new HeadObjectCommand(this.#at(key)));
        return { key, size: out.ContentLength ?? 0, metadata: out.Metadata ?? {} };
      },
      () => undefined,
    );
  }

  openRange(key: string, start: number, endExclusive: number): Promise<Readable> {
    const range = `bytes=${start}-${endExclusive - 1}`;
    return guarded(`ranged get of ${key} (${range})`, async () => {
      const out = await this.#client.send(new GetObjectCommand({ ...this.#at(key), Range: range }));
      // In Node the SDK's body is an http.IncomingMessage, i.e. already a Readable.
      return out.Body instanceof Readable ? out.Body : Readable.from([]);
    });
  }

  list(prefix: string): Promise<string[]> {
    return guarded(`listing of ${prefix}`, async () => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const out = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: this.#root + prefix,
            ContinuationToken: token,
          }),
        );
        for (const item of out.Contents ?? []) {
          if (item.Key !== undefined) keys.push(item.Key.slice(this.#root.length));
        }
        token = out.IsTruncated === true ? out.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys.sort();
    });
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000).map((k) => ({ Key: this.#root + k }));
      const command = new DeleteObjectsCommand({
        Bucket: this.#bucket,
        Delete: { Objects: batch, Quiet: true },
      });
      const out = await guarded('delete', () => this.#client.send(command));
      const failed = out.Errors?.filter((e) => e.Code !== 'NoSuchKey') ?? [];
      if (failed.length > 0) {
        const which = failed.map((e) => `${e.Key}: ${e.Code}`).join(', ');
        throw new CuttleError('UNAVAILABLE', `S3 delete of ${failed.length} objects failed: ${which}`);
      }
    }
  }

  close(): Promise<void> {
    this.#client.destroy();
    return Promise.resolve();
  }

  #at(key: string): { Bucket: string; Key: string } {
    return { Bucket: this.#bucket, Key: this.#root + key };
  }

  #headers(options: PutOptions): { ContentType?: string; Metadata?: Record<string, string> } {
    return {
      ...(options.contentType === undefined ? {} : { ContentType: options.contentType }),
      ...(options.metadata === undefined ? {} : { Metadata: { ...options.metadata } }),
    };
  }
}
