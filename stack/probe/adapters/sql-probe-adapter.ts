/** Readiness of the two MariaDB servers: a real login and query, not just an open port. */
import { createConnection } from 'mysql2/promise';

async function withConnection<T>(
  url: string,
  use: (query: (sql: string) => Promise<unknown[]>) => Promise<T>,
) {
  const connection = await createConnection({ uri: url, connectTimeout: 2_000 });
  try {
    return await use(async (sql) => (await connection.query(sql))[0] as unknown[]);
  } finally {
    await connection.end().catch(() => undefined);
  }
}

/** ctldb: logs in and returns the server version. */
export async function probeMysql(url: string): Promise<string> {
  return withConnection(url, async (query) => {
    const [row] = (await query('SELECT VERSION() AS version')) as { version: string }[];
    return `MariaDB ${row?.version ?? '?'}`;
  });
}

/** Origin: logs in and checks the binlog settings Debezium needs. */
export async function probeOrigin(url: string): Promise<string> {
  return withConnection(url, async (query) => {
    const [row] = (await query(
      'SELECT VERSION() AS version, @@log_bin AS logBin, @@binlog_format AS format, @@binlog_row_image AS image',
    )) as { version: string; logBin: number; format: string; image: string }[];
    if (row === undefined || Number(row.logBin) !== 1 || row.format !== 'ROW' || row.image !== 'FULL') {
      throw new Error(`binlog not ready for Debezium: ${JSON.stringify(row)}`);
    }
    return `MariaDB ${row.version}, binlog ROW/FULL`;
  });
}
