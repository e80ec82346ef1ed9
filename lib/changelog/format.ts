/**
 * The changelog's line format: one JSON object per committed change, newline-terminated.
 *
 *   {"seq":12,"prev":9,"committedAt":1732000000000,"family":"shop","table":"prices","op":"upsert",
 *    "key":{"id":"7"},"values":{"id":"7","price":"12.50"},"types":{"id":"integer","price":"decimal"}}
 *
 * - `seq` is the ledger seq of the entry (stable across restarts, unlike ctlstore's counter).
 * - `prev` is the writer's watermark before this line: every change with a seq in (prev, seq)
 *   would have a line before this one, so a follower that has seen everything up to S and meets
 *   a line with prev > S knows that changes may be missing (out of sync) instead of guessing.
 * - Values use the ledger encoding (integers as decimal strings, bytes as base64, decimals as
 *   canonical strings); `types` names each field's type so the line decodes on its own.
 */
import { CuttleError } from '../errors.ts';
import { CHANGE_OPS, type ChangeOp, type RowChange } from '../ldb/changes.ts';
import type { FieldDef, FieldType } from '../schema/types.ts';
import type { EncodedRow, Row } from '../schema/values.ts';
import { decodeRow } from '../schema/values.ts';

export interface ChangelogLine extends RowChange {
  readonly prev: number;
}

export function formatLine(change: RowChange, prev: number): string {
  return `${JSON.stringify({
    seq: change.seq,
    prev,
    committedAt: change.committedAt,
    family: change.family,
    table: change.table,
    op: change.op,
    key: change.key,
    values: change.values,
    types: change.types,
  })}\n`;
}

function invalid(text: string, problem: string): CuttleError {
  return new CuttleError('INTERNAL', `changelog line is invalid (${problem}): ${text.slice(0, 200)}`, {
    retriable: false,
  });
}

export function parseLine(text: string): ChangelogLine {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw invalid(text, err instanceof Error ? err.message : 'not JSON');
  }
  const line = raw as Partial<ChangelogLine> | null;
  if (
    line === null ||
    typeof line !== 'object' ||
    !Number.isSafeInteger(line.seq) ||
    !Number.isSafeInteger(line.prev) ||
    !(CHANGE_OPS as readonly string[]).includes(line.op as ChangeOp) ||
    typeof line.family !== 'string' ||
    typeof line.table !== 'string'
  ) {
    throw invalid(text, 'missing or mistyped seq, prev, op, family or table');
  }
  return line as ChangelogLine;
}

/** A change as the reader library hands it out: values typed (bigint, Buffer, string). */
export interface ChangeEvent {
  readonly seq: number;
  readonly committedAt: number;
  readonly family: string;
  readonly table: string;
  readonly op: ChangeOp;
  readonly key: Row | null;
  readonly values: Row | null;
}

function decodeWith(encoded: EncodedRow | null, types: Readonly<Record<string, FieldType>>): Row | null {
  if (encoded === null) return null;
  const fields: FieldDef[] = Object.keys(encoded).map((name) => ({ name, type: types[name] ?? 'string' }));
  return decodeRow(encoded, fields);
}

export function eventOfLine(line: ChangelogLine): ChangeEvent {
  return {
    seq: line.seq,
    committedAt: line.committedAt,
    family: line.family,
    table: line.table,
    op: line.op,
    key: decodeWith(line.key, line.types ?? {}),
    values: decodeWith(line.values, line.types ?? {}),
  };
}
