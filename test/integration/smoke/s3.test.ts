/** Smoke: the S3 server stores and returns objects, multipart uploads and paginated listings. */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../support/debezium.ts';
import { stackEnv } from '../../support/stack-env.ts';

const s3 = new S3Client({
  endpoint: stackEnv.s3Endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: stackEnv.s3AccessKeyId, secretAccessKey: stackEnv.s3SecretAccessKey },
});
const Bucket = stackEnv.s3Bucket;
const prefix = `smoke/${uniqueName('s3')}/`;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function read(Key: string): Promise<Uint8Array> {
  const object = await s3.send(new GetObjectCommand({ Bucket, Key }));
  return (await object.Body?.transformToByteArray()) ?? new Uint8Array();
}

describe('S3 server', () => {
  afterAll(async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: prefix }));
    const Objects = (listed.Contents ?? []).map((o) => ({ Key: o.Key ?? '' }));
    if (Objects.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects } }));
    s3.destroy();
  });

  it('returns an object as it was put', async () => {
    const Key = `${prefix}small.txt`;
    await s3.send(new PutObjectCommand({ Bucket, Key, Body: 'hello cuttle', ContentType: 'text/plain' }));
    expect(Buffer.from(await read(Key)).toString('utf8')).toBe('hello cuttle');
  });

  it('assembles a 12 MiB multipart upload (5 MiB parts) byte for byte', async () => {
    const Key = `${prefix}large.bin`;
    const body = randomBytes(12 * 1024 * 1024);
    const upload = new Upload({ client: s3, params: { Bucket, Key, Body: body }, partSize: 5 * 1024 * 1024 });
    const parts = new Set<number>();
    upload.on('httpUploadProgress', (progress) => {
      if (progress.part !== undefined) parts.add(progress.part);
    });
    await upload.done();
    expect([...parts].sort()).toEqual([1, 2, 3]); // CreateMultipartUpload, 3 × UploadPart, Complete
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key }));
    expect(head.ContentLength).toBe(body.length);
    expect(sha256(await read(Key))).toBe(sha256(body));
  });

  it('pages through a listing with continuation tokens', async () => {
    const keys = ['a', 'b', 'c'].map((k) => `${prefix}page/${k}`);
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    const seen: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket, Prefix: `${prefix}page/`, MaxKeys: 1, ContinuationToken }),
      );
      seen.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken !== undefined);
    expect(seen).toEqual(keys);
  });
});
