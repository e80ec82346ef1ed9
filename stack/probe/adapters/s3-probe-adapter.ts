/** Readiness of the S3 server: a signed ListBuckets, and the project's bucket present. */
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';

export interface S3ProbeTarget {
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export async function probeS3(target: S3ProbeTarget, createBucket: boolean): Promise<string> {
  const client = new S3Client({
    endpoint: target.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 3_000 },
  });
  try {
    const names = async () =>
      ((await client.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
    let buckets = await names();
    if (!buckets.includes(target.bucket) && createBucket) {
      await client.send(new CreateBucketCommand({ Bucket: target.bucket }));
      buckets = await names();
    }
    if (!buckets.includes(target.bucket)) throw new Error(`bucket ${target.bucket} missing`);
    return `${buckets.length} bucket(s), ${target.bucket} present`;
  } finally {
    client.destroy();
  }
}
