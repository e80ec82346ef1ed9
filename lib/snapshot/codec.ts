/**
 * Compression of snapshot files, streaming, with a SHA-256 of the compressed bytes computed on
 * the way (so the object is hashed exactly as it is stored and downloaded).
 *
 * Brotli at quality 1 is the default: on a 368 MiB LDB of JSON-like rows (bench/bootstrap.ts data)
 * it compressed in 1.6 s to 101 MiB, where gzip level 1 took 3.5 s for 114 MiB and gzip 6 took
 * 4.5 s for 110 MiB; both decompress at about 200 MiB/s of output. Higher brotli qualities gain
 * 5 % in size for 2-5x the time. zstd would be better still but is not in Node 20's zlib.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  constants,
  createBrotliCompress,
  createBrotliDecompress,
  createGunzip,
  createGzip,
  type BrotliOptions,
} from 'node:zlib';
import { CuttleError } from '../errors.ts';
import type { Compression } from './manifest.ts';

/** Small chunks keep every synchronous hash update well under a millisecond. */
const CHUNK = 256 * 1024;

export interface CompressedFile {
  readonly size: number;
  readonly compressedSize: number;
  readonly sha256: string;
}

/** Counts and hashes what passes through, unchanged. */
export class HashingCounter extends Transform {
  readonly #hash = createHash('sha256');
  #bytes = 0;
  readonly #limit: number;
  readonly #what: string;
  readonly #hashing: boolean;

  /** `limit`: fail once more bytes than this pass (a corrupt stream must not fill the disk). */
  constructor(options: { limit?: number; what?: string; hash?: boolean } = {}) {
    super();
    this.#limit = options.limit ?? Number.POSITIVE_INFINITY;
    this.#what = options.what ?? 'stream';
    this.#hashing = options.hash ?? true;
  }

  get bytes(): number {
    return this.#bytes;
  }

  digest(): string {
    return this.#hash.digest('hex');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#bytes += chunk.length;
    if (this.#bytes > this.#limit) {
      done(tooLarge(this.#what, this.#limit));
      return;
    }
    if (this.#hashing) this.#hash.update(chunk);
    done(null, chunk);
  }
}

function tooLarge(what: string, limit: number): CuttleError {
  return new CuttleError(
    'SNAPSHOT_INVALID',
    `${what} is larger than the ${limit} bytes its manifest states`,
    {
      retriable: false,
    },
  );
}

function compressor(compression: Compression, sizeHint: number): Transform {
  if (compression === 'gzip') return createGzip({ level: 1, chunkSize: CHUNK });
  const options: BrotliOptions = {
    chunkSize: CHUNK,
    params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_SIZE_HINT]: sizeHint },
  };
  return createBrotliCompress(options);
}

export function decompressor(compression: Compression): Transform {
  return compression === 'gzip'
    ? createGunzip({ chunkSize: CHUNK })
    : createBrotliDecompress({ chunkSize: CHUNK });
}

export async function compressFile(
  source: string,
  target: string,
  compression: Compression,
  size: number,
  signal?: AbortSignal,
): Promise<CompressedFile> {
  const input = new HashingCounter({ hash: false });
  const output = new HashingCounter();
  await pipeline(
    createReadStream(source, { highWaterMark: CHUNK }),
    input,
    compressor(compression, size),
    output,
    createWriteStream(target, { flags: 'wx' }),
    signal === undefined ? {} : { signal },
  );
  return { size: input.bytes, compressedSize: output.bytes, sha256: output.digest() };
}
