/**
 * Sources as the admin page sees them: the rows of `cuttle.sources` (read and written through
 * the executive's own read and mutation services, so a pause is an ordinary ledger entry that
 * every loader sees on its next poll) and, when EXECUTIVE_CONNECT_URL is set, the connector's
 * state in Kafka Connect, which a pause or resume also changes (as `cuttle sources pause` does).
 */
import { CuttleError, detailValue, previewText } from '../../../lib/errors.ts';
import type { ConnectClient, ConnectorStatus } from '../../../lib/sources/connect-client.ts';
import {
  SOURCES_FAMILY,
  SOURCES_TABLE,
  SOURCES_WRITER,
  connectorNameOf,
  isSourceState,
  validateSourceName,
  type SourceState,
} from '../../../lib/sources/source-row.ts';
import type { MutationService } from '../mutations/mutation-service.ts';
import type { JsonRow, ReadService } from '../reads/read-service.ts';

export interface SourceListing {
  readonly name: string;
  readonly state: string;
  readonly connectorName: string | null;
  readonly updatedAt: number | null;
  /** Connect's view: null without EXECUTIVE_CONNECT_URL, when the connector is missing, or on error. */
  readonly connector: ConnectorStatus | null;
  readonly connectorError: string | null;
}

/** A missing family or table means no source was ever registered. */
const MISSING = new Set(['FAMILY_NOT_FOUND', 'TABLE_NOT_FOUND', 'ROW_NOT_FOUND']);
const isMissing = (err: unknown): boolean => err instanceof CuttleError && MISSING.has(err.code);

export class SourcesAdmin {
  readonly #reads: ReadService;
  readonly #mutations: MutationService;
  readonly #connect: ConnectClient | undefined;

  constructor(reads: ReadService, mutations: MutationService, connect: ConnectClient | undefined) {
    this.#reads = reads;
    this.#mutations = mutations;
    this.#connect = connect;
  }

  get connectConfigured(): boolean {
    return this.#connect !== undefined;
  }

  async list(): Promise<SourceListing[]> {
    const rows: JsonRow[] = [];
    let cursor: string | null = null;
    try {
      do {
        const page: { rows: JsonRow[]; nextCursor: string | null } = await this.#reads.scan(
          SOURCES_FAMILY,
          SOURCES_TABLE,
          { limit: 1000, cursor },
        );
        rows.push(...page.rows);
        cursor = page.nextCursor;
      } while (cursor !== null);
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    return Promise.all(rows.map((row) => this.#listing(row)));
  }

  /** Sets the row's state (and the connector's, with Connect configured); SOURCE_NOT_FOUND if absent. */
  async setState(name: unknown, state: unknown): Promise<SourceListing> {
    const source = validateSourceName(name);
    if (!isSourceState(state)) {
      throw new CuttleError(
        'BAD_REQUEST',
        `state must be "active" or "paused", not ${previewText(String(state))}`,
        {
          details: { state: detailValue(state) },
        },
      );
    }
    const row = await this.#row(source);
    const connector = connectorNameOf(row.connector);
    if (this.#connect !== undefined && connector !== null) await this.#toggle(connector, state);
    const values = { ...row, state, updated_at: Date.now() };
    await this.#mutations.mutate(SOURCES_WRITER, SOURCES_FAMILY, {
      mutations: [{ table: SOURCES_TABLE, op: 'upsert', values }],
    });
    return this.#listing(values);
  }

  async #row(name: string): Promise<JsonRow> {
    try {
      return await this.#reads.getRow(SOURCES_FAMILY, SOURCES_TABLE, { key: { name } });
    } catch (err) {
      if (!isMissing(err)) throw err;
      throw new CuttleError('SOURCE_NOT_FOUND', `no source named ${name}`, { details: { source: name } });
    }
  }

  #toggle(connector: string, state: SourceState): Promise<void> {
    const connect = this.#connect;
    if (connect === undefined) return Promise.resolve();
    return state === 'paused' ? connect.pause(connector) : connect.resume(connector);
  }

  async #listing(row: JsonRow): Promise<SourceListing> {
    const connectorName = connectorNameOf(row.connector);
    const base = {
      name: String(row.name),
      state: String(row.state),
      connectorName,
      updatedAt: row.updated_at === null || row.updated_at === undefined ? null : Number(row.updated_at),
    };
    if (this.#connect === undefined || connectorName === null)
      return { ...base, connector: null, connectorError: null };
    try {
      return { ...base, connector: await this.#connect.status(connectorName), connectorError: null };
    } catch (err) {
      // One unreachable Connect must not hide the rows: the error is shown beside the source.
      return { ...base, connector: null, connectorError: err instanceof Error ? err.message : String(err) };
    }
  }
}
