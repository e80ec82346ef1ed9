/**
 * A poison event loses none of its neighbours, through the real pipeline (origin → Debezium →
 * Kafka → loader → executive → ctldb): the valid events before it in its partition are committed,
 * even when they arrive in the same fetch and would share its batch; the poison event itself
 * halts the partition (halt policy) or goes to the dead-letter queue (skip policy), and then the
 * events after it are applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceConfigSchema } from '../../../services/loader/mapping/source-config.ts';
import { eventually } from './harness.ts';
import { Pipeline } from './pipeline.ts';

const pipeline = new Pipeline();

async function ids(): Promise<string[]> {
  const { family, table } = pipeline.target('accounts');
  return (await pipeline.harness.rows(family, table)).map((r) => String(r.id));
}

describe('poison events (json)', () => {
  beforeAll(async () => {
    await pipeline.open({
      format: 'json',
      setup: ['CREATE TABLE accounts (id BIGINT UNSIGNED PRIMARY KEY, d DOUBLE, note VARCHAR(20))'],
      tables: [{ table: 'accounts', family: 'poison' }],
      deadLetterPolicy: 'halt',
      startLoader: false,
    });
    for (const id of [1, 2, 3])
      await pipeline.origin.exec('INSERT INTO accounts VALUES (?, 1.5, ?)', [id, `ok ${id}`]);
    // A key beyond 2^63-1: the cuttle key is a signed 64-bit integer.
    await pipeline.origin.exec("INSERT INTO accounts VALUES (18446744073709551615, 0, 'poison key')");
    for (const id of [4, 5])
      await pipeline.origin.exec('INSERT INTO accounts VALUES (?, 2.5, ?)', [id, `ok ${id}`]);
    // A DOUBLE whose decimal text is over 100 characters.
    await pipeline.origin.exec("INSERT INTO accounts VALUES (6, 1e-300, 'poison double')");
    await pipeline.origin.exec("INSERT INTO accounts VALUES (7, -0.25, 'ok 7')");
    await pipeline.waitForRecords('accounts', 8);
  });

  afterAll(async () => {
    await pipeline.close();
  });

  it('halt: commits every event before the poison one, then halts the partition at it', async () => {
    const loader = await pipeline.startLoader();
    const topic = pipeline.topic('accounts');
    await eventually(() => {
      expect(loader.statuses.find((s) => s.topic === topic)?.halted).toMatchObject({
        code: 'INTEGER_OUT_OF_RANGE',
        offset: '3',
      });
      return Promise.resolve();
    }, 60_000);
    expect(await ids()).toEqual(['1', '2', '3']);
    expect(await pipeline.harness.storedOffsets()).toMatchObject({ [`${topic}/0`]: '3' });
    const letters = await loader.deadLetters.list();
    expect(letters).toMatchObject([{ offset: '3', code: 'INTEGER_OUT_OF_RANGE', policy: 'halt' }]);
    expect(letters[0]?.reason).toContain('above 2^63-1');
    await pipeline.harness.stopLoader(loader);
  });

  it('skip: dead-letters each poison event and applies everything after it', async () => {
    const source = sourceConfigSchema.parse({ ...pipeline.source, deadLetterPolicy: 'skip' });
    const loader = await pipeline.harness.startLoader([source], { registryUrl: undefined });
    await eventually(async () => {
      expect(await ids()).toEqual(['1', '2', '3', '4', '5', '7']);
    }, 60_000);
    const letters = await loader.deadLetters.list();
    expect(letters.map((l) => [l.offset, l.code, l.policy])).toEqual([
      ['3', 'INTEGER_OUT_OF_RANGE', 'skip'],
      ['6', 'VALUE_TOO_LARGE', 'skip'],
    ]);
    expect(await pipeline.harness.storedOffsets()).toMatchObject({
      [`${pipeline.topic('accounts')}/0`]: '8',
    });
  });
});
