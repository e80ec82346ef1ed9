/** A dead letter built from the Kafka record the loader could not apply (the port is in lib/). */
import type { DeadLetter } from '../../../lib/dead-letters/dead-letter.ts';
import type { InboundMessage } from '../message.ts';

export function deadLetterOf(
  source: string,
  message: InboundMessage,
  fields: Pick<DeadLetter, 'code' | 'reason' | 'policy' | 'position' | 'atMs'>,
): DeadLetter {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    const first = Array.isArray(value)
      ? (value as (Buffer | string)[])[0]
      : (value as Buffer | string | undefined);
    if (first !== undefined) headers[name] = typeof first === 'string' ? first : first.toString('utf8');
  }
  return {
    source,
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key?.toString('base64') ?? null,
    value: message.value?.toString('base64') ?? null,
    headers,
    ...fields,
  };
}
