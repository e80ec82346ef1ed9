import { describe, expect, it } from 'vitest';
import { CuttleError } from '../../../lib/errors.ts';
import { LocalAuthThrottle } from '../../../services/executive/writers/auth-throttle.ts';
import { hashSecret } from '../../../services/executive/writers/secret-hash.ts';
import { WriterAuthenticator, type WriterRecords } from '../../../services/executive/writers/writer-auth.ts';
import type { WriterRecord } from '../../../services/executive/writers/writer-store.ts';

class Records implements WriterRecords {
  readonly records = new Map<string, WriterRecord>();
  record(name: string): Promise<WriterRecord | undefined> {
    return Promise.resolve(this.records.get(name));
  }
  onChange(): void {}
}

async function refusal(run: Promise<unknown>): Promise<CuttleError> {
  try {
    await run;
  } catch (err) {
    if (err instanceof CuttleError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('WriterAuthenticator', () => {
  const setup = async () => {
    const records = new Records();
    const stored = await hashSecret('the right secret', { N: 1024, r: 8, p: 1 });
    records.records.set('known', { secretHash: stored, scope: { families: ['fam'] } });
    const checked: string[] = [];
    const throttle = new LocalAuthThrottle({ maxFailures: 3, windowMs: 60_000 });
    const auth = new WriterAuthenticator(records, throttle, (secret, hash) => {
      checked.push(hash === stored ? 'stored' : 'dummy');
      return Promise.resolve(secret === 'the right secret' && hash === stored);
    });
    return { auth, checked };
  };

  it('checks an unknown writer against a dummy hash, as costly as a known one', async () => {
    const { auth, checked } = await setup();
    expect((await refusal(auth.authenticate('unknown', 'a guess'))).code).toBe('UNAUTHENTICATED');
    expect((await refusal(auth.authenticate('known', 'a guess'))).code).toBe('UNAUTHENTICATED');
    expect(checked).toEqual(['dummy', 'stored']);
    expect(await auth.authenticate('known', 'the right secret')).toEqual({
      name: 'known',
      scope: { families: ['fam'] },
    });
  });

  it('throttles a name after its failures, but not a writer it verified recently', async () => {
    const { auth, checked } = await setup();
    await auth.authenticate('known', 'the right secret');
    for (let i = 0; i < 3; i++) await refusal(auth.authenticate('known', `guess ${i}`));
    const throttled = await refusal(auth.authenticate('known', 'guess 4'));
    expect([throttled.code, throttled.status]).toEqual(['AUTH_THROTTLED', 429]);
    expect(throttled.retryAfterSeconds).toBeGreaterThan(59);
    // No secret was checked for the throttled attempt.
    expect(checked).toHaveLength(4);
    // The writer's own cached secret still passes.
    expect((await auth.authenticate('known', 'the right secret')).name).toBe('known');
    for (let i = 0; i < 3; i++) await refusal(auth.authenticate('nobody', `guess ${i}`));
    expect((await refusal(auth.authenticate('nobody', 'again'))).code).toBe('AUTH_THROTTLED');
  });
});

describe('LocalAuthThrottle', () => {
  it('counts failures per name in a window and forgets them after it', async () => {
    let now = 0;
    const throttle = new LocalAuthThrottle({ maxFailures: 2, windowMs: 1000 }, () => now);
    await throttle.recordFailure('a');
    expect(await throttle.blockedForMs('a')).toBe(0);
    await throttle.recordFailure('a');
    expect(await throttle.blockedForMs('a')).toBe(1000);
    expect(await throttle.blockedForMs('b')).toBe(0);
    now = 600;
    expect(await throttle.blockedForMs('a')).toBe(400);
    now = 1000;
    expect(await throttle.blockedForMs('a')).toBe(0);
  });

  it('stays bounded under a flood of random names', async () => {
    const throttle = new LocalAuthThrottle({ maxFailures: 1, windowMs: 60_000 }, () => 0);
    for (let i = 0; i < 25_000; i++) await throttle.recordFailure(`name-${i}`);
    expect(await throttle.blockedForMs('name-24999')).toBe(60_000);
    expect(await throttle.blockedForMs('name-0')).toBe(0);
  });
});
