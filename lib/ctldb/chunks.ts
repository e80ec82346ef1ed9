/**
 * Splits the rows of one multi-row statement so that no statement exceeds the dialect's parameter
 * limit or a byte budget (MySQL rejects a statement larger than max_allowed_packet, 16 MiB by
 * default; we stay well under it).
 */
export const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;

export function chunkRows<T>(
  items: readonly T[],
  paramsPerItem: number,
  maxParams: number,
  sizeOf: (item: T) => number,
  maxBytes: number = MAX_STATEMENT_BYTES,
): T[][] {
  const maxItems = Math.max(1, Math.floor(maxParams / Math.max(1, paramsPerItem)));
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= maxItems || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** `(?, ?, ?), (?, ?, ?)` for `rows` rows of `columns` placeholders. */
export function placeholderRows(rows: number, columns: number): string {
  const one = `(${new Array<string>(columns).fill('?').join(', ')})`;
  return new Array<string>(rows).fill(one).join(', ');
}
