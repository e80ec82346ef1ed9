import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { env, envName, loadConfig } from '../../../lib/config.ts';
import { CuttleError } from '../../../lib/errors.ts';
import { backoffMs, Closer, jitter, ServiceGroup, sleep } from '../../../lib/lifecycle.ts';
import { silentLogger } from '../../../lib/logging.ts';

describe('config', () => {
  const options = {
    port: { schema: env.int(8080), description: 'HTTP port.' },
    ctldbUrl: { schema: z.string().min(1), description: 'ctldb URL.' },
    debug: { schema: env.bool(false), description: 'Debug logging.' },
  };

  it('reads prefixed variables, flags win', () => {
    const config = loadConfig('EXEC', options, { EXEC_CTLDB_URL: 'mysql://x', EXEC_PORT: '9' }, [
      '--port',
      '10',
      '--debug',
    ]);
    expect(config).toEqual({ port: 10, ctldbUrl: 'mysql://x', debug: true });
    expect(envName('EXEC', 'ctldbUrl')).toBe('EXEC_CTLDB_URL');
  });

  it('names every bad variable in one error', () => {
    try {
      loadConfig('EXEC', options, { EXEC_PORT: 'eighty' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CuttleError);
      expect((err as CuttleError).code).toBe('CONFIG_INVALID');
      expect((err as Error).message).toContain('EXEC_PORT');
      expect((err as Error).message).toContain('EXEC_CTLDB_URL (or --ctldb-url) is missing');
    }
  });

  it('refuses a flag that names no option, instead of leaving that option at its default', () => {
    expect(() => loadConfig('EXEC', options, { EXEC_CTLDB_URL: 'mysql://x' }, ['--prot', '10'])).toThrow(
      /--prot is not an option/,
    );
  });
});

describe('errors', () => {
  it('derives status and retriability from the code', () => {
    expect(new CuttleError('OFFSET_CONFLICT', 'x').status).toBe(409);
    expect(new CuttleError('RATE_LIMITED', 'x').retriable).toBe(true);
    expect(new CuttleError('UNKNOWN_FIELD', 'x').retriable).toBe(false);
    expect(new CuttleError('UNKNOWN_FIELD', 'x', { details: { field: 'f' } }).toJSON()).toEqual({
      error: { code: 'UNKNOWN_FIELD', message: 'x', details: { field: 'f' } },
    });
  });
});

describe('lifecycle', () => {
  it('stops services in reverse order, even when one stop fails', async () => {
    const events: string[] = [];
    const group = new ServiceGroup(silentLogger());
    for (const name of ['pool', 'consumer', 'http']) {
      group.add({
        name,
        start: () => Promise.resolve(void events.push(`start ${name}`)),
        stop: () => {
          events.push(`stop ${name}`);
          return name === 'consumer' ? Promise.reject(new Error('boom')) : Promise.resolve();
        },
      });
    }
    await group.start();
    await expect(group.stop()).rejects.toThrow('some services failed to stop');
    expect(events).toEqual([
      'start pool',
      'start consumer',
      'start http',
      'stop http',
      'stop consumer',
      'stop pool',
    ]);
  });

  it('closes what a composition owns once, in reverse order, past a failing close', async () => {
    const closed: string[] = [];
    const owned = new Closer(silentLogger());
    owned.add(() => closed.push('pool'));
    owned.add(() => Promise.reject(new Error('server close failed')));
    owned.add(() => Promise.resolve(closed.push('heartbeat')));
    await Promise.all([owned.close(), owned.close()]);
    await owned.close();
    expect(closed).toEqual(['heartbeat', 'pool']);
  });

  it('sleep returns early on abort', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 10);
    await sleep(10_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('backoff and jitter stay within their bounds', () => {
    expect(backoffMs(0, 100, 1000, () => 0)).toBe(50);
    expect(backoffMs(30, 100, 1000, () => 1)).toBe(1000);
    expect(jitter(1000, 0.25, () => 0)).toBe(750);
    expect(jitter(1000, 0.25, () => 1)).toBe(1250);
  });
});
