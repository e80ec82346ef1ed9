/**
 * `SnapshotStore` on S3 or any S3-compatible server (@aws-sdk/client-s3; multipart uploads through
 * @aws-sdk/lib-storage). Checksums are computed only where the API requires them
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
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { CuttleError } from '../../errors.ts';
import type { ObjectInfo, PutOptions, SnapshotStore } from '../store.ts';

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
  /** Multipart part size in bytes. @defaultValue 16 MiB */
  readonly partSize?: number;
  /** Parts uploaded in parallel. @defaultValue 4 */
  readonly queueSize?: number;
}

function isNotFound(err: unknown): boolean {
  return err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404;
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
    this.#partSize = options.partSize ?? 16 * 1024 * 1024;
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
    const upload = new Upload({
      client: this.#client,
      params: {
        Bucket: this.#bucket,
        Key: this.#root + key,
        Body: createReadStream(path),
        ...this.#headers(options),
      },
      partSize: this.#partSize,
      queueSize: this.#queueSize,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async putBytes(key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: this.#root + key,
        Body: body,
        ...this.#headers(options),
      }),
    );
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    try {
      const out = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#root + key }),
      );
      return out.Body === undefined ? new Uint8Array() : await out.Body.transformToByteArray();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const out = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#root + key }),
      );
      return { key, size: out.ContentLength ?? 0, metadata: out.Metadata ?? {} };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async openRange(key: string, start: number, endExclusive: number): Promise<Readable> {
    const out = await this.#client.send(
      new GetObjectCommand({
        Bucket: this.#bucket,
        Key: this.#root + key,
        Range: `bytes=${start}-${endExclusive - 1}`,
      }),
    );
    // In Node the SDK's body is an http.IncomingMessage, i.e. already a Readable.
    return out.Body instanceof Readable ? out.Body : Readable.from([]);
  }

  async list(prefix: string): Promise<string[]> {
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
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000).map((k) => ({ Key: this.#root + k }));
      const out = await this.#client.send(
        new DeleteObjectsCommand({ Bucket: this.#bucket, Delete: { Objects: batch, Quiet: true } }),
      );
      const failed = out.Errors?.filter((e) => e.Code !== 'NoSuchKey') ?? [];
      if (failed.length > 0) {
        throw new CuttleError(
          'UNAVAILABLE',
          `deleting ${failed.length} objects failed: ${failed.map((e) => `${e.Key}: ${e.Code}`).join(', ')}`,
        );
      }
    }
  }

  close(): Promise<void> {
    this.#client.destroy();
    return Promise.resolve();
  }

  #headers(options: PutOptions): { ContentType?: string; Metadata?: Record<string, string> } {
    return {
      ...(options.contentType === undefined ? {} : { ContentType: options.contentType }),
      ...(options.metadata === undefined ? {} : { Metadata: { ...options.metadata } }),
    };
  }
}
