/**
 * Kafka offsets as the executive stores them: per writer and stream (`topic/partition`), the next
 * offset to consume, as a decimal string (offsets are 64-bit). A batch claims
 * `expected` = the stored next offset (null before the first batch) and sets `next` = its last
 * offset + 1. Offsets are not contiguous (transaction markers take offsets of their own), so
 * `expected` may be below the batch's first offset; only the stored value is ever compared.
 */
export interface OffsetUpdate {
  readonly stream: string;
  readonly expected: string | null;
  readonly next: string;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export function streamName(tp: TopicPartition): string {
  return `${tp.topic}/${tp.partition}`;
}

export function parseStreamName(stream: string): TopicPartition | undefined {
  const slash = stream.lastIndexOf('/');
  if (slash <= 0) return undefined;
  const partition = Number(stream.slice(slash + 1));
  return Number.isInteger(partition) && partition >= 0
    ? { topic: stream.slice(0, slash), partition }
    : undefined;
}

export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

export function compareOffsets(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
