/** Readiness of the HTTP components: real API calls with short timeouts (fetch, no driver). */

export const mariaDbConnectorClass = 'io.debezium.connector.mariadb.MariaDbConnector';
export const apicurioAvroConverterClass = 'io.apicurio.registry.utils.converter.AvroConverter';

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.json();
}

interface Plugin {
  readonly class: string;
  readonly type: string;
  readonly version?: string;
}

/** Connect: the worker answers and lists the Debezium MariaDB connector and the Avro converter. */
export async function probeConnect(connectUrl: string): Promise<string> {
  const root = (await getJson(`${connectUrl}/`)) as { version?: string };
  const plugins = (await getJson(`${connectUrl}/connector-plugins?connectorsOnly=false`)) as Plugin[];
  const find = (cls: string) => plugins.find((p) => p.class === cls);
  const connector = find(mariaDbConnectorClass);
  const converter = find(apicurioAvroConverterClass);
  if (connector === undefined) throw new Error(`plugin ${mariaDbConnectorClass} not loaded`);
  if (converter === undefined) throw new Error(`plugin ${apicurioAvroConverterClass} not loaded`);
  // The Apicurio converter does not report a version (it is not `Versioned`): the pom pins it.
  const converterVersion = converter.version ?? 'loaded';
  return `Connect ${root.version ?? '?'}, Debezium MariaDB ${connector.version ?? '?'}, Apicurio AvroConverter ${converterVersion}`;
}

/** Registry: the Confluent-compatible API lists subjects; the native API tells the version. */
export async function probeRegistry(ccompatUrl: string, nativeUrl: string): Promise<string> {
  const subjects = await getJson(`${ccompatUrl}/subjects`);
  if (!Array.isArray(subjects)) throw new Error(`GET ${ccompatUrl}/subjects did not return a list`);
  const info = (await getJson(`${nativeUrl}/system/info`)) as { name?: string; version?: string };
  return `${info.name ?? 'registry'} ${info.version ?? '?'}, ${subjects.length} subject(s)`;
}
