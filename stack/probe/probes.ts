/**
 * One readiness check per component, each a real call bounded in time. Used by the stack scripts
 * (through main.ts) and by the integration tests' global setup.
 */
import { stackEnv } from '../../test/support/stack-env.ts';
import { probeKafka } from './adapters/kafka-probe-adapter.ts';
import { probeRedis } from './adapters/redis-probe-adapter.ts';
import { probeS3 } from './adapters/s3-probe-adapter.ts';
import { probeMysql, probeOrigin } from './adapters/sql-probe-adapter.ts';
import { component, type Component, type ComponentName } from './components.ts';
import { probeConnect, probeRegistry } from './http-probes.ts';

export interface ProbeResult extends Component {
  readonly up: boolean;
  /** What the component said (versions), or why it is down. */
  readonly detail: string;
}

export interface ProbeOptions {
  /** Create the S3 bucket when it is missing (stack:up does; status and tests only look). */
  readonly createBucket?: boolean;
  readonly timeoutMs?: number;
  /** probeUntilUp gives up as soon as this process (the one just started) has exited. */
  readonly watchedPid?: number;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function check(name: ComponentName, options: ProbeOptions): Promise<string> {
  switch (name) {
    case 'mysql':
      return probeMysql(stackEnv.mysqlUrl);
    case 'origin':
      return probeOrigin(stackEnv.originMysqlUrl);
    case 'redis':
      return probeRedis(stackEnv.redisUrl);
    case 'kafka':
      return probeKafka(stackEnv.kafkaBrokers);
    case 'connect':
      return probeConnect(stackEnv.connectUrl);
    case 'registry':
      return probeRegistry(stackEnv.registryUrl, stackEnv.registryApiUrl);
    case 's3':
      return probeS3(
        {
          endpoint: stackEnv.s3Endpoint,
          bucket: stackEnv.s3Bucket,
          accessKeyId: stackEnv.s3AccessKeyId,
          secretAccessKey: stackEnv.s3SecretAccessKey,
        },
        options.createBucket ?? false,
      );
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let text = error.message || error.name;
  const cause = error.cause instanceof Error ? error.cause.message : '';
  if (cause !== '' && !text.includes(cause)) text += `: ${cause}`;
  if (error instanceof AggregateError) text += ` (${error.errors.map((e) => String(e)).join('; ')})`;
  return text;
}

export async function probe(name: ComponentName, options: ProbeOptions = {}): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? 8_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const detail = await Promise.race([check(name, options), timeout]);
    return { ...component(name), up: true, detail };
  } catch (error) {
    return { ...component(name), up: false, detail: describe(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Probes again every half second until the component is up or `waitMs` has passed. */
export async function probeUntilUp(
  name: ComponentName,
  waitMs: number,
  options: ProbeOptions = {},
): Promise<ProbeResult> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const result = await probe(name, options);
    if (result.up || Date.now() >= deadline) return result;
    if (options.watchedPid !== undefined && !processAlive(options.watchedPid)) {
      return { ...result, detail: `process ${options.watchedPid} exited; last check: ${result.detail}` };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
