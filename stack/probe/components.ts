/**
 * The components of the stack, where each is reached and which variable moves it. Shared by
 * stack/probe/main.ts (what `npm run stack:up` and `stack:status` wait for and print) and by the
 * integration project's global setup (test/support/require-stack.ts).
 */
import { stackEnv } from '../../test/support/stack-env.ts';

export const componentNames = ['mysql', 'redis', 'origin', 's3', 'kafka', 'registry', 'connect'] as const;
export type ComponentName = (typeof componentNames)[number];

export interface Component {
  readonly name: ComponentName;
  /** What it is, for people reading a failure. */
  readonly title: string;
  readonly address: string;
  /** The environment variable that points the tests and the scripts at another address. */
  readonly variable: string;
}

const table: Record<ComponentName, Omit<Component, 'name'>> = {
  mysql: { title: 'ctldb MariaDB', address: stackEnv.mysqlUrl, variable: 'CUTTLE_MYSQL_URL' },
  redis: { title: 'Redis', address: stackEnv.redisUrl, variable: 'CUTTLE_REDIS_URL' },
  origin: {
    title: 'origin MariaDB (binlog)',
    address: stackEnv.originMysqlUrl,
    variable: 'CUTTLE_ORIGIN_MYSQL_URL',
  },
  s3: { title: 'S3 (s3rver)', address: stackEnv.s3Endpoint, variable: 'CUTTLE_S3_ENDPOINT' },
  kafka: {
    title: 'Kafka broker',
    address: stackEnv.kafkaBrokers.join(','),
    variable: 'CUTTLE_KAFKA_BROKERS',
  },
  registry: { title: 'Apicurio Registry', address: stackEnv.registryUrl, variable: 'CUTTLE_REGISTRY_URL' },
  connect: { title: 'Kafka Connect', address: stackEnv.connectUrl, variable: 'CUTTLE_CONNECT_URL' },
};

export function component(name: ComponentName): Component {
  return { name, ...table[name] };
}

export function isComponentName(value: string): value is ComponentName {
  return (componentNames as readonly string[]).includes(value);
}
