/** Writers and their scopes, from GET /writers. */
import type { WriterListing } from '../../writers/writer-store.ts';
import { table } from './dom.ts';

export const scopeText = (w: WriterListing): string =>
  'global' in w.scope ? 'global (every family)' : w.scope.families.join(', ') || '(none)';

export function writersPanel(writers: readonly WriterListing[]): Node[] {
  return [
    table(
      'Writers',
      ['Writer', 'Scope', 'Registered'],
      writers.map((w) => [w.name, scopeText(w), new Date(w.createdAt).toISOString()]),
    ),
  ];
}
