/**
 * Where registered sources live: rows of `cuttle.sources` (see the loader's source-record.ts for
 * the whole record). In lib/ because the executive's admin page reads the rows and flips a
 * source's `state` itself, and loaders obey that state: the executive must not import the loader.
 */
import { CuttleError, detailValue } from '../errors.ts';

export const SOURCES_FAMILY = 'cuttle';
export const SOURCES_TABLE = 'sources';
/** The writer whose offsets-free upserts maintain the rows. */
export const SOURCES_WRITER = 'cuttle-sources';

const SOURCE_NAME = /^[a-z][a-z0-9_-]{2,48}$/;

/** A source's name: it names the connector and its topics too. */
export function validateSourceName(name: unknown): string {
  if (typeof name !== 'string' || !SOURCE_NAME.test(name)) {
    throw new CuttleError(
      'INVALID_NAME',
      `source name ${JSON.stringify(detailValue(name))} must be 3 to 49 characters of a-z, 0-9, _ and -, starting with a letter (it names the connector and its topics)`,
      { details: { source: detailValue(name) } },
    );
  }
  return name;
}

export type SourceState = 'active' | 'paused';

export function isSourceState(value: unknown): value is SourceState {
  return value === 'active' || value === 'paused';
}

/** The connector's name as the row's `connector` JSON holds it, or null when it is unreadable. */
export function connectorNameOf(connectorJson: unknown): string | null {
  if (typeof connectorJson !== 'string') return null;
  try {
    const parsed = JSON.parse(connectorJson) as { name?: unknown };
    return typeof parsed.name === 'string' ? parsed.name : null;
  } catch {
    return null;
  }
}
