/**
 * A Redis URL (`redis://[user:password@]host[:port][/db]`) as the connection options BullMQ takes
 * (it needs host/port/db fields, not a URL).
 */
export interface RedisConnection {
  host: string;
  port: number;
  db: number;
  password?: string;
  username?: string;
}

export function redisConnectionOf(url: string): RedisConnection {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || '6379'),
    db: Number(parsed.pathname.replace('/', '') || '0'),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
  };
}
