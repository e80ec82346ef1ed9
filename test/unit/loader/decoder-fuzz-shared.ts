/**
 * What the decoder fuzz tests share (decoder-fuzz-json.test.ts, decoder-fuzz-avro.test.ts): the
 * seed, the outcome check (records of rows, or a poison event: a CuttleError that is not
 * retriable, with a code of lib/errors.ts) and byte mutations.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { ErrorCodes, isCuttleError } from '../../../lib/errors.ts';
import type { DecodedRecords } from '../../../services/loader/decode/change-record.ts';
import type { EventDecoder } from '../../../services/loader/decode/decoder.ts';
import { ExactNumber } from '../../../services/loader/decode/exact-json.ts';
import type { InboundMessage } from '../../../services/loader/message.ts';

export const SEED = Number(process.env.FUZZ_SEED ?? 1212);
export const params = (numRuns: number) => ({ seed: SEED, numRuns, endOnFailure: true });

export type Outcome = { readonly decoded: unknown } | { readonly poison: string };

/** Decodes, and fails the test on anything but records or a poison event. */
export async function outcomeOf(decoder: EventDecoder, m: InboundMessage, what: string): Promise<Outcome> {
  let decoded: DecodedRecords;
  try {
    decoded = await decoder.decode(m);
  } catch (err) {
    expectPoison(err, what);
    return { poison: (err as { code: string }).code };
  }
  for (const record of decoded) expectRows(record, what);
  await decoder
    .decodeTransactionEnd(m)
    .catch((err: unknown) => expectPoison(err, `${what} (transaction end)`));
  return { decoded };
}

/** A decoded record's key and values, when present, are rows: objects of columns. */
function expectRows(record: object, what: string): void {
  for (const part of ['key', 'values'] as const) {
    const row: unknown = (record as Record<string, unknown>)[part];
    if (row === undefined || row === null) continue;
    const isRow =
      typeof row === 'object' &&
      !Array.isArray(row) &&
      !Buffer.isBuffer(row) &&
      !(row instanceof ExactNumber);
    expect(isRow, `seed ${SEED}, ${what}: the record's ${part} is not a row`).toBe(true);
  }
}

function expectPoison(err: unknown, what: string): void {
  const describe = () =>
    `seed ${SEED}, ${what}: ${err instanceof Error ? `${err.constructor.name}: ${err.message.slice(0, 300)}` : String(err)}`;
  if (!isCuttleError(err)) expect.fail(`not a CuttleError: ${describe()}`);
  expect(err.code in ErrorCodes, describe()).toBe(true);
  expect(err.retriable, `a retriable error for bytes that cannot change: ${describe()}`).toBe(false);
}

// ---------------------------------------------------------------------------------------------
// JSON events

export const withValue = (m: InboundMessage, value: Buffer | null): InboundMessage => ({ ...m, value });

/** Up to four byte changes (position, nonzero xor or new byte), applied in one of three ways. */
const byteChanges = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), {
  minLength: 1,
  maxLength: 4,
});
const byteChangeKind = fc.constantFrom('flip', 'insert', 'append');

function mutated(original: Buffer, changes: readonly [number, number][], how: string): Buffer {
  let bytes = Buffer.from(original);
  for (const [at, x] of changes) {
    const i = at % bytes.length;
    if (how === 'flip') bytes[i] = (bytes[i] ?? 0) ^ x;
    else if (how === 'insert')
      bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([x]), bytes.subarray(i)]);
    else bytes = Buffer.concat([bytes, Buffer.from([x])]);
  }
  return bytes;
}

/** JSON.stringify replacer for generated events holding bigints. */
export function bigintText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** The property both decoders hold: an event with bytes flipped, inserted or appended decodes or is poison. */
export function byteMutationProperty<E>(
  events: fc.Arbitrary<E>,
  decoder: EventDecoder,
  toMessage: (e: E) => InboundMessage,
): fc.IAsyncPropertyWithHooks<[E, [number, number][], string]> {
  return fc.asyncProperty(events, byteChanges, byteChangeKind, async (e, changes, how) => {
    const m = toMessage(e);
    const bytes = mutated(m.value ?? Buffer.alloc(0), changes, how);
    await outcomeOf(decoder, withValue(m, bytes), `${how} ${JSON.stringify(changes)}`);
  });
}
