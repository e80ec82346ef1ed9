/** connector-watch.ts: which Kafka Connect states put a source down, and that Connect outages do not. */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../lib/logging.ts';
import type { ConnectorStatus } from '../../../lib/sources/connect-client.ts';
import { ConnectorWatch, connectorProblem } from '../../../services/loader/sources/connector-watch.ts';

const running: ConnectorStatus = { connector: { state: 'RUNNING' }, tasks: [{ id: 0, state: 'RUNNING' }] };

describe('connectorProblem', () => {
  it('sees nothing wrong with a running or paused connector', () => {
    expect(connectorProblem('shop', running)).toBeUndefined();
    expect(
      connectorProblem('shop', { connector: { state: 'PAUSED' }, tasks: [{ id: 0, state: 'PAUSED' }] }),
    ).toBeUndefined();
  });

  it('names a failed connector, and a failed task with the first line of its trace', () => {
    expect(connectorProblem('shop', { connector: { state: 'FAILED' }, tasks: [] })).toBe(
      'connector shop FAILED',
    );
    const trace = `java.sql.SQLException: Access denied for user 'debezium'\\n\\tat x.y(Z.java:1)`.replace(
      '\\n',
      '\n',
    );
    expect(
      connectorProblem('shop', {
        connector: { state: 'RUNNING' },
        tasks: [
          { id: 0, state: 'RUNNING' },
          { id: 1, state: 'FAILED', trace },
        ],
      }),
    ).toBe("connector shop task 1 FAILED: java.sql.SQLException: Access denied for user 'debezium'");
  });

  it('bounds a long trace', () => {
    const problem = connectorProblem('shop', {
      connector: { state: 'RUNNING' },
      tasks: [{ id: 0, state: 'FAILED', trace: 'x'.repeat(10_000) }],
    });
    expect(problem?.length).toBeLessThan(400);
  });
});

describe('ConnectorWatch', () => {
  it('reports each source (a connector Connect does not know as no problem), nothing while Connect does not answer', async () => {
    const states = new Map<string, ConnectorStatus | null>([
      ['a', running],
      ['b', { connector: { state: 'FAILED' }, tasks: [] }],
    ]);
    let connectUp = true;
    const reports: [string, string | undefined][] = [];
    const watch = new ConnectorWatch({
      read: (name) =>
        connectUp ? Promise.resolve(states.get(name) ?? null) : Promise.reject(new Error('ECONNREFUSED')),
      everyMs: 60_000,
      sources: () => ['a', 'b', 'elsewhere'],
      report: (source, problem) => reports.push([source, problem]),
      log: silentLogger(),
    });
    await watch.check();
    expect(reports).toEqual([
      ['a', undefined],
      ['b', 'connector b FAILED'],
      ['elsewhere', undefined],
    ]);
    connectUp = false;
    await watch.check();
    expect(reports).toHaveLength(3);
  });
});
