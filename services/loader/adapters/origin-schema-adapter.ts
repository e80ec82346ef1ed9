/**
 * OriginSchemaReader over mysql2: the origin's information_schema, read once per table, and the
 * read-only checks of registration (sources/origin-checks.ts).
 */
import { createConnection, type Connection } from 'mysql2/promise';
import { CuttleError } from '../../../lib/errors.ts';
import { ORIGIN_COLUMNS_SQL, originColumnOf, type OriginColumn } from '../sources/origin-schema.ts';
import type { OriginSchemaReader } from '../sources/registration.ts';

export class MysqlOriginSchemaReader implements OriginSchemaReader {
  readonly #connection: Connection;

  private constructor(connection: Connection) {
    this.#connection = connection;
  }

  static async open(options: {
    host: string;
    port: number;
    user: string;
    password: string;
  }): Promise<MysqlOriginSchemaReader> {
    try {
      return new MysqlOriginSchemaReader(await createConnection({ ...options, connectTimeout: 10_000 }));
    } catch (err) {
      throw new CuttleError(
        'UNAVAILABLE',
        `cannot connect to the origin ${options.host}:${options.port} as ${options.user}`,
        {
          cause: err,
          details: { host: options.host, port: options.port },
        },
      );
    }
  }

  async columns(database: string, table: string): Promise<OriginColumn[]> {
    const [rows] = await this.#connection.query(ORIGIN_COLUMNS_SQL, [database, table]);
    return (rows as Record<string, unknown>[]).map(originColumnOf);
  }

  /** Over the binary protocol, so that FLOAT and DOUBLE values arrive exactly. */
  async query(sql: string, params: readonly (string | number)[]): Promise<Record<string, unknown>[]> {
    const [rows] = await this.#connection.execute(sql, [...params]);
    return rows as Record<string, unknown>[];
  }

  async close(): Promise<void> {
    await this.#connection.end();
  }
}
