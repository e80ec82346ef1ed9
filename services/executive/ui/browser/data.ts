/**
 * Everything the panels show, fetched in one go from the admin JSON API. The types are the
 * server's own (type-only imports vanish when the module is compiled for the browser).
 */
import type { StoredLetter } from '../../../../lib/dead-letters/dead-letter.ts';
import type { TableSchema } from '../../../../lib/schema/types.ts';
import type { Fleet } from '../../../../lib/status/fleet.ts';
import type { SourceListing } from '../../admin/sources-admin.ts';
import type { LimitsUsage } from '../../limits/usage.ts';
import type { WriterListing } from '../../writers/writer-store.ts';
import { api } from './api.ts';

export interface PageData {
  readonly fleet: Fleet;
  readonly schema: { readonly families: readonly { family: string; tables: readonly TableSchema[] }[] };
  readonly writers: readonly WriterListing[];
  readonly usage: LimitsUsage;
  readonly sources: { readonly connect: boolean; readonly sources: readonly SourceListing[] };
  readonly deadLetters: { readonly queue: string | null; readonly letters: readonly StoredLetter[] };
}

/** What one panel got: its data, or why it could not (one failing API must not blank the page). */
export type Loaded<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Error };

const settle = <T>(promise: Promise<T>): Promise<Loaded<T>> =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (err: unknown) => ({ ok: false as const, error: err instanceof Error ? err : new Error(String(err)) }),
  );

export type LoadedData = { readonly [K in keyof PageData]: Loaded<PageData[K]> };

export async function loadAll(): Promise<LoadedData> {
  const [fleet, schema, writers, usage, sources, deadLetters] = await Promise.all([
    settle(api<Fleet>('GET', '/fleet')),
    settle(api<PageData['schema']>('GET', '/schema')),
    settle(api<{ writers: WriterListing[] }>('GET', '/writers').then((r) => r.writers)),
    settle(api<LimitsUsage>('GET', '/limits/usage')),
    settle(api<PageData['sources']>('GET', '/sources')),
    settle(api<PageData['deadLetters']>('GET', '/dead-letters')),
  ]);
  return { fleet, schema, writers, usage, sources, deadLetters };
}
