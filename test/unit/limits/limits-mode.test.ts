import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config.ts';
import { limitsModeOf, limitsOptions } from '../../../services/executive/limits/limits-config.ts';

const load = (environment: Record<string, string>) => loadConfig('EXECUTIVE', limitsOptions, environment, []);

describe('the limits mode in force', () => {
  it('is redis whenever a Redis URL is configured, unless a mode is set', () => {
    expect(limitsModeOf(load({}), 'redis://127.0.0.1:6379')).toBe('redis');
    expect(limitsModeOf(load({ EXECUTIVE_LIMITS_REDIS_URL: 'redis://r:6379' }), undefined)).toBe('redis');
  });

  it('is off without Redis, and off or local only when chosen', () => {
    expect(limitsModeOf(load({}), undefined)).toBe('off');
    expect(limitsModeOf(load({ EXECUTIVE_LIMITS_MODE: 'off' }), 'redis://127.0.0.1:6379')).toBe('off');
    expect(limitsModeOf(load({ EXECUTIVE_LIMITS_MODE: 'local' }), 'redis://127.0.0.1:6379')).toBe('local');
  });

  it('refuses an unknown mode, naming the variable', () => {
    expect(() => load({ EXECUTIVE_LIMITS_MODE: 'on' })).toThrow(/EXECUTIVE_LIMITS_MODE/);
  });
});
