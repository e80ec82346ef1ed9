/** Smoke: the machine's Redis and the ctldb MariaDB answer real commands. */
import { Redis } from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { uniqueName } from '../../support/debezium.ts';
import { stackEnv } from '../../support/stack-env.ts';

describe('Redis', () => {
  it('stores and returns a value', async () => {
    const redis = new Redis(stackEnv.redisUrl);
    const key = `cuttle:smoke:${uniqueName('redis')}`;
    try {
      await redis.set(key, 'ping', 'PX', 60_000);
      expect(await redis.get(key)).toBe('ping');
      expect(await redis.del(key)).toBe(1);
    } finally {
      redis.disconnect();
    }
  });
});

describe('ctldb MariaDB', () => {
  it('creates a database, writes and reads a row, drops it', async () => {
    const connection = await createConnection({ uri: stackEnv.mysqlUrl });
    const database = `cuttle_${uniqueName('smoke')}`;
    try {
      await connection.query(`CREATE DATABASE \`${database}\``);
      await connection.query(`CREATE TABLE \`${database}\`.t (id INT PRIMARY KEY, v VARCHAR(10))`);
      await connection.query(`INSERT INTO \`${database}\`.t VALUES (1, 'one')`);
      const [rows] = await connection.query(`SELECT id, v FROM \`${database}\`.t`);
      expect(rows).toEqual([{ id: 1, v: 'one' }]);
    } finally {
      await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await connection.end();
    }
  });
});
