/**
 * What the admin-page test drives: a real executive over MariaDB and the stack's Redis (limits,
 * status records and the dead-letter queue under private prefixes), with data whose text must
 * render literally. Family, table and field names only allow [a-z0-9_], so they take the worst
 * they allow (longest, digits, underscores); free text (a source's connector name, a dead
 * letter's reason, a status record's host and reason) carries markup, quotes and ampersands.
 */
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { BullmqDeadLetterStore } from '../../../lib/dead-letters/bullmq-dead-letter-adapter.ts';
import type { DeadLetter } from '../../../lib/dead-letters/dead-letter.ts';
import { RedisStatusStore } from '../../../lib/status/redis-status-adapter.ts';
import {
  SOURCES_FAMILY,
  SOURCES_FIELDS,
  SOURCES_KEY,
  SOURCES_TABLE,
  SOURCES_WRITER,
} from '../../../services/loader/sources/source-record.ts';
import { startTestExecutive, type TestExecutive } from '../../support/executive.ts';
import { stackEnv } from '../../support/stack-env.ts';
import { loader, supervisor } from '../../support/status-records.ts';

/** Text that would run script or break markup if it were ever parsed as HTML. */
export const HOSTILE = `<img src=x onerror="window.__pwned=1">&amp; "quoted" 'single' <script>window.__pwned=2</script>`;
export const FAMILY = 'f0_hostile_names_0123456789_z';
// family___table is at most 64 characters (MySQL's identifier limit): 29 + 3 + 32.
export const TABLE = `t_${'x9_'.repeat(9)}end`;
export const FIELDS = [
  ['k', 'string'],
  [`f_${'a1_'.repeat(20)}z`, 'text'],
  ['n_0', 'integer'],
] as const;
export const WRITER = 'ui.writer:A-1_b';
export const SOURCE = 'ui-source_1';
export const LETTER_ID = 'cuttle.ui-source_1.t/0/42';

export interface UiFixture {
  readonly ex: TestExecutive;
  readonly deadLetters: BullmqDeadLetterStore;
  /** An admin GET of the API, as the page makes it. */
  get<T>(path: string): Promise<T>;
  close(): Promise<void>;
}

const tag = randomBytes(4).toString('hex');
const prefixes = {
  status: `cuttle-test:ui-status:${tag}`,
  deadLetters: `cuttle-test:ui-dl:${tag}`,
  limits: `cuttle-test:ui-limits:${tag}`,
  auth: `cuttle-test:ui-auth:${tag}`,
};

function letter(): DeadLetter {
  return {
    source: SOURCE,
    topic: 'cuttle.ui-source_1.t',
    partition: 0,
    offset: '42',
    key: null,
    value: Buffer.from('{"after":{"k":"v"}}').toString('base64'),
    headers: {},
    position: null,
    code: 'WRONG_VALUE_TYPE',
    reason: HOSTILE,
    policy: 'skip',
    atMs: Date.now(),
  };
}

async function seedSchema(ex: TestExecutive): Promise<void> {
  await ex.setupTable(FAMILY, TABLE, FIELDS, ['k']);
  await ex.registerWriter(WRITER, undefined, { families: [FAMILY] });
  await ex.setupTable(
    SOURCES_FAMILY,
    SOURCES_TABLE,
    SOURCES_FIELDS.map((f) => [f.name, f.type] as const),
    SOURCES_KEY,
  );
  const sources = await ex.registerWriter(SOURCES_WRITER, undefined, { families: [SOURCES_FAMILY] });
  const row = {
    name: SOURCE,
    state: 'active',
    config: JSON.stringify({ name: SOURCE }),
    connector: JSON.stringify({ name: HOSTILE, properties: {} }),
    updated_at: Date.now(),
  };
  const r = await ex.mutate(sources, SOURCES_FAMILY, { mutations: [{ table: SOURCES_TABLE, values: row }] });
  if (r.status !== 200) throw new Error(`seeding the source row: ${r.status} ${JSON.stringify(r.body)}`);
}

/** A loader and a supervisor as their status records say (published under the private prefix). */
async function publishRecords(): Promise<void> {
  const store = new RedisStatusStore(stackEnv.redisUrl, { prefix: prefixes.status });
  const fresh = { publishedAt: new Date().toISOString(), ttlMs: 10 * 60_000 };
  const l = loader(`loader-${HOSTILE}`);
  try {
    await store.put({
      ...l,
      ...fresh,
      host: HOSTILE,
      figures: {
        partitions: [
          {
            source: SOURCE,
            topic: 'cuttle.ui-source_1.t',
            partition: 0,
            lag: 17,
            oldestUnappliedAgeMs: 2500,
            halted: null,
          },
          {
            source: SOURCE,
            topic: 'cuttle.ui-source_1.t',
            partition: 1,
            lag: 5,
            oldestUnappliedAgeMs: 900,
            halted: null,
          },
        ],
        deadLetters: 1,
      },
    });
    await store.put({ ...supervisor('supervisor-a'), ...fresh, ready: false, reason: HOSTILE });
  } finally {
    await store.close();
  }
}

export async function startUiFixture(): Promise<UiFixture> {
  const ex = await startTestExecutive('mysql', {
    area: 'ui',
    config: {
      redisUrl: stackEnv.redisUrl,
      deadLetterPrefix: prefixes.deadLetters,
      statusKeyPrefix: prefixes.status,
      statusIntervalMs: 500,
      limitsKeyPrefix: prefixes.limits,
      authKeyPrefix: prefixes.auth,
    },
  });
  const deadLetters = new BullmqDeadLetterStore({
    redisUrl: stackEnv.redisUrl,
    prefix: prefixes.deadLetters,
  });
  const close = async (): Promise<void> => {
    await deadLetters.close();
    await ex.close();
    const redis = new Redis(stackEnv.redisUrl);
    try {
      for (const prefix of Object.values(prefixes)) {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
      }
    } finally {
      redis.disconnect();
    }
  };
  try {
    await seedSchema(ex);
    await publishRecords();
    await deadLetters.put(letter());
    const get = async <T>(path: string): Promise<T> => {
      const r = await ex.admin<T>('GET', path);
      if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    return { ex, deadLetters, get, close };
  } catch (err) {
    await close();
    throw err;
  }
}
