import { describe, expect, it } from 'vitest';
import { CuttleError } from '../../../lib/errors.ts';
import { buildBatch, type BatchEvent } from '../../../services/loader/batching/batch.ts';
import {
  decideAfterSend,
  decideOnEventError,
  type SendResult,
} from '../../../services/loader/batching/failure-policy.ts';

const tp = { topic: 'ctl.ctl.widgets', partition: 0 };
const ev = (offset: string, mutations: number): BatchEvent => ({
  offset,
  family: mutations === 0 ? null : 'shop',
  mutations: Array.from({ length: mutations }, (_, i) => ({
    table: 'widgets',
    op: 'delete' as const,
    key: { id: i },
  })),
  sourceTsMs: null,
  bytes: 1,
});
const batch = buildBatch(tp, [ev('5', 2), ev('6', 0), ev('8', 1)], '5', 0);
const single = buildBatch(tp, [ev('5', 1)], '5', 0);
const options = { policy: 'halt' as const, attempt: 3, backoff: (attempt: number) => attempt * 100 };

function rejected(
  httpStatus: number,
  code: string,
  details: Record<string, unknown> = {},
  retryAfterMs: number | null = null,
): SendResult {
  return { kind: 'rejected', httpStatus, code, message: 'no', details, retryAfterMs };
}

describe('decideAfterSend', () => {
  it('acknowledges applied and duplicate batches', () => {
    expect(decideAfterSend({ kind: 'committed', status: 'applied' }, batch, options)).toEqual({
      action: 'ack',
    });
    expect(decideAfterSend({ kind: 'committed', status: 'duplicate' }, batch, options)).toEqual({
      action: 'ack',
    });
  });

  it('treats a conflict whose stored offset is this batch’s next as committed (the reply was lost)', () => {
    expect(
      decideAfterSend(
        rejected(409, 'OFFSET_CONFLICT', { stored: { 'ctl.ctl.widgets/0': '9' } }),
        batch,
        options,
      ),
    ).toEqual({
      action: 'ack',
    });
  });

  it('seeks to the stored offset on any other conflict, including none stored', () => {
    expect(
      decideAfterSend(
        rejected(409, 'OFFSET_CONFLICT', { stored: { 'ctl.ctl.widgets/0': '42', other: '1' } }),
        batch,
        options,
      ),
    ).toMatchObject({ action: 'seek', offset: '42' });
    expect(
      decideAfterSend(
        rejected(409, 'OFFSET_CONFLICT', { stored: { 'ctl.ctl.widgets/0': null } }),
        batch,
        options,
      ),
    ).toMatchObject({ action: 'seek', offset: null });
    expect(decideAfterSend(rejected(409, 'OFFSET_CONFLICT', {}), batch, options)).toMatchObject({
      action: 'halt',
    });
  });

  it('pauses and resends after the delay the executive gives for limits', () => {
    expect(decideAfterSend(rejected(429, 'RATE_LIMITED', {}, 2500), batch, options)).toMatchObject({
      action: 'pause',
      delayMs: 2500,
    });
    expect(decideAfterSend(rejected(429, 'RATE_LIMITED'), batch, options)).toMatchObject({
      action: 'pause',
      delayMs: 1000,
    });
    expect(decideAfterSend(rejected(507, 'TABLE_FULL', {}, 60_000), batch, options)).toMatchObject({
      action: 'pause',
      delayMs: 60_000,
    });
  });

  it('retries with backoff when the executive is down or the failure is not the data’s fault', () => {
    expect(
      decideAfterSend({ kind: 'unreachable', error: new Error('ECONNREFUSED') }, batch, options),
    ).toMatchObject({ action: 'retry', delayMs: 300 });
    for (const [status, code] of [
      [503, 'UNAVAILABLE'],
      [500, 'INTERNAL'],
      [401, 'UNAUTHENTICATED'],
      [404, 'TABLE_NOT_FOUND'],
    ] as const) {
      expect(decideAfterSend(rejected(status, code), batch, options)).toMatchObject({
        action: 'retry',
        delayMs: 300,
      });
    }
  });

  it('finds the poison event from the mutation row the executive names', () => {
    const result = rejected(400, 'NUL_IN_TEXT', { row: 2 });
    // Halting: the events before the poison one are split off to be committed first.
    expect(decideAfterSend(result, batch, options)).toMatchObject({ action: 'isolate', at: '8' });
    const first = rejected(400, 'NUL_IN_TEXT', { row: 0 });
    expect(decideAfterSend(first, batch, options)).toMatchObject({
      action: 'halt',
      offsets: ['5'],
      code: 'NUL_IN_TEXT',
    });
    expect(decideAfterSend(result, batch, { ...options, policy: 'skip' })).toMatchObject({
      action: 'dead-letter',
      offsets: ['8'],
    });
    expect(
      decideAfterSend(rejected(400, 'WRONG_VALUE_TYPE', { row: 1 }), batch, { ...options, policy: 'skip' }),
    ).toMatchObject({ offsets: ['5'] });
  });

  it('isolates when the culprit is unknown or the batch is too large, and poisons a single event', () => {
    expect(decideAfterSend(rejected(400, 'BAD_REQUEST'), batch, options)).toMatchObject({
      action: 'isolate',
    });
    expect(decideAfterSend(rejected(413, 'BODY_TOO_LARGE', { row: 0 }), batch, options)).toMatchObject({
      action: 'isolate',
    });
    expect(
      decideAfterSend(rejected(400, 'BAD_REQUEST'), single, { ...options, policy: 'skip' }),
    ).toMatchObject({ action: 'dead-letter', offsets: ['5'] });
  });
});

describe('decideOnEventError', () => {
  it('applies the dead-letter policy to permanent errors', () => {
    const poison = new CuttleError('BAD_REQUEST', 'not an envelope', { retriable: false });
    expect(decideOnEventError(poison, '7', options)).toEqual({
      action: 'halt',
      offsets: ['7'],
      code: 'BAD_REQUEST',
      reason: 'not an envelope',
    });
    expect(decideOnEventError(poison, '7', { ...options, policy: 'skip' })).toMatchObject({
      action: 'dead-letter',
      offsets: ['7'],
    });
  });

  it('retries retriable errors and halts on bugs whatever the policy', () => {
    expect(decideOnEventError(new CuttleError('UNAVAILABLE', 'registry down'), '7', options)).toMatchObject({
      action: 'retry',
      delayMs: 300,
    });
    expect(
      decideOnEventError(new TypeError('x is undefined'), '7', { ...options, policy: 'skip' }),
    ).toMatchObject({ action: 'halt', code: 'INTERNAL' });
  });
});
