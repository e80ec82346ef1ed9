/**
 * The admin page's own JSON routes, beside what the browser test drives: a drop request is
 * recorded like a retry, an unknown letter or source is a 404 with its stable code, a bad request
 * a 400, and an executive without Redis says it has no dead-letter queue instead of failing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestExecutive, type TestExecutive } from '../../support/executive.ts';
import { LETTER_ID, startUiFixture, type UiFixture } from './ui-fixture.ts';

interface ErrorBody {
  readonly error: { readonly code: string };
}

let fx: UiFixture;
let bare: TestExecutive;

beforeAll(async () => {
  fx = await startUiFixture();
  bare = await startTestExecutive('sqlite', { area: 'ui-bare' });
}, 120_000);

afterAll(async () => {
  await bare?.close();
  await fx?.close();
});

describe('admin routes of the page', () => {
  it('records a drop request in the queue, as `cuttle deadletters drop` does', async () => {
    const r = await fx.ex.admin<{ letter: { id: string; request: string } }>(
      'POST',
      '/dead-letters/requests',
      {
        id: LETTER_ID,
        request: 'drop',
      },
    );
    expect([r.status, r.body.letter.id, r.body.letter.request]).toEqual([200, LETTER_ID, 'drop']);
    expect((await fx.deadLetters.get(LETTER_ID))?.request).toBe('drop');
  });

  it('answers an unknown letter with DEAD_LETTER_NOT_FOUND and a bad request with BAD_REQUEST', async () => {
    const unknown = await fx.ex.admin<ErrorBody>('POST', '/dead-letters/requests', {
      id: 'no-topic/0/1',
      request: 'retry',
    });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'DEAD_LETTER_NOT_FOUND']);
    const bad = await fx.ex.admin<ErrorBody>('POST', '/dead-letters/requests', {
      id: LETTER_ID,
      request: 'replay',
    });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'BAD_REQUEST']);
    expect((await fx.deadLetters.get(LETTER_ID))?.request).toBe('drop');
  });

  it('answers an unknown source with SOURCE_NOT_FOUND and a bad name with INVALID_NAME', async () => {
    const unknown = await fx.ex.admin<ErrorBody>('PUT', '/sources/no-such-source/state', { state: 'paused' });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'SOURCE_NOT_FOUND']);
    const bad = await fx.ex.admin<ErrorBody>('PUT', '/sources/X/state', { state: 'paused' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'INVALID_NAME']);
  });

  it('without Redis, shows no queue and no sources rather than failing', async () => {
    expect((await bare.admin('GET', '/dead-letters')).body).toEqual({ queue: null, letters: [] });
    expect((await bare.admin('GET', '/sources')).body).toEqual({ connect: false, sources: [] });
    const r = await bare.admin<ErrorBody>('POST', '/dead-letters/requests', {
      id: LETTER_ID,
      request: 'retry',
    });
    expect([r.status, r.body.error.code]).toEqual([404, 'DEAD_LETTER_NOT_FOUND']);
  });
});
