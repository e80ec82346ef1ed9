/**
 * An in-process s3rver on a random port with its own temporary directory, for snapshot tests
 * that do not need the stack's S3. (s3rver ships no types; the few members used are typed here.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

export interface TestS3Server {
  readonly endpoint: string;
  readonly bucket: string;
  stop(): Promise<void>;
}

export async function startTestS3(bucket = 'snapshots-test'): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'cuttle-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
