/** Readiness of Kafka: a metadata call through the admin client (an open port is not enough). */
import { Kafka, logLevel } from 'kafkajs';

export async function probeKafka(brokers: readonly string[]): Promise<string> {
  const kafka = new Kafka({
    clientId: 'cuttle-stack-probe',
    brokers: [...brokers],
    connectionTimeout: 2_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return `cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s), controller ${cluster.controller ?? '?'}`;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
