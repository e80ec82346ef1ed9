import { describe, expect, it } from 'vitest';
import { decideOffsets } from '../../../services/executive/mutations/offsets.ts';

const stored = (entries: Record<string, string>) => new Map(Object.entries(entries));
const buf = (s: string) => Buffer.from(s);

describe('decideOffsets', () => {
  it('applies when every expected offset matches, including "nothing stored"', () => {
    expect(decideOffsets([{ stream: 'a', expected: null, next: '1' }], stored({}), undefined, null)).toEqual({
      kind: 'apply',
    });
    expect(
      decideOffsets([{ stream: 'a', expected: '5', next: '9' }], stored({ a: '5' }), undefined, null),
    ).toEqual({ kind: 'apply' });
  });

  it('calls a replay a duplicate when every stream already stands at next', () => {
    const offsets = [
      { stream: 'a', expected: '5', next: '9' },
      { stream: 'b', expected: null, next: '2' },
    ];
    expect(decideOffsets(offsets, stored({ a: '9', b: '2' }), undefined, null)).toEqual({
      kind: 'duplicate',
    });
  });

  it('reports a conflict with every stored offset of the request', () => {
    const offsets = [
      { stream: 'a', expected: '5', next: '9' },
      { stream: 'b', expected: null, next: '2' },
    ];
    expect(decideOffsets(offsets, stored({ a: '7' }), undefined, null)).toEqual({
      kind: 'conflict',
      stored: { a: '7', b: null },
      storedCookie: undefined,
    });
    // Half at next, half elsewhere: not a clean replay.
    expect(decideOffsets(offsets, stored({ a: '9', b: '1' }), undefined, null).kind).toBe('conflict');
  });

  it('never treats a request that moves nothing as a duplicate', () => {
    expect(
      decideOffsets([{ stream: 'a', expected: '5', next: '5' }], stored({ a: '5' }), undefined, null),
    ).toEqual({ kind: 'apply' });
  });

  it('checks the cookie only when expected is given', () => {
    expect(decideOffsets([], stored({}), { expected: undefined, next: buf('x') }, buf('old'))).toEqual({
      kind: 'apply',
    });
    expect(decideOffsets([], stored({}), { expected: buf('old'), next: buf('new') }, buf('old'))).toEqual({
      kind: 'apply',
    });
    expect(decideOffsets([], stored({}), { expected: buf('old'), next: buf('new') }, buf('new'))).toEqual({
      kind: 'duplicate',
    });
    expect(decideOffsets([], stored({}), { expected: null, next: buf('new') }, buf('other'))).toEqual({
      kind: 'conflict',
      stored: {},
      storedCookie: buf('other').toString('base64'),
    });
  });
});
