/**
 * Addresses of the real stack, shared by the stack scripts (same variable names) and the tests.
 * Point a variable at an existing service to use it instead of the one `npm run stack:up` starts.
 */
const env = process.env;

export const stackEnv = {
  /** ctldb server (tests create their own databases on it). */
  mysqlUrl: env.CUTTLE_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306',
  redisUrl: env.CUTTLE_REDIS_URL ?? 'redis://127.0.0.1:6379',
  kafkaBrokers: (env.CUTTLE_KAFKA_BROKERS ?? '127.0.0.1:19092').split(','),
  connectUrl: env.CUTTLE_CONNECT_URL ?? 'http://127.0.0.1:18083',
  /** Confluent-compatible API of the schema registry. */
  registryUrl: env.CUTTLE_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7',
  /** Apicurio's native API (v2), what the Avro converter in Connect talks to. */
  registryApiUrl: env.CUTTLE_REGISTRY_API_URL ?? 'http://127.0.0.1:18081/apis/registry/v2',
  /** Private MariaDB origin with a ROW binlog, the source Debezium captures. */
  originMysqlUrl: env.CUTTLE_ORIGIN_MYSQL_URL ?? 'mysql://root@127.0.0.1:3307',
  /** The origin's replication user that Debezium connectors log in with (stack/config/origin-mariadb/init.sql). */
  originDebeziumUser: env.CUTTLE_ORIGIN_DEBEZIUM_USER ?? 'debezium',
  originDebeziumPassword: env.CUTTLE_ORIGIN_DEBEZIUM_PASSWORD ?? 'dbz',
  s3Endpoint: env.CUTTLE_S3_ENDPOINT ?? 'http://127.0.0.1:14568',
  s3Bucket: env.CUTTLE_S3_BUCKET ?? 'cuttle',
  s3AccessKeyId: env.CUTTLE_S3_ACCESS_KEY_ID ?? 'S3RVER',
  s3SecretAccessKey: env.CUTTLE_S3_SECRET_ACCESS_KEY ?? 'S3RVER',
} as const;
