/**
 * One Kafka record through decoding and mapping into a batch event, or a hold: a change the
 * loader must not apply on its own (a truncate, a schema change it cannot follow). Errors
 * (poison, retriable) are thrown for the partition worker's failure policy.
 */
import { CuttleError } from '../../../lib/errors.ts';
import type { BatchEvent, EventTransaction } from '../batching/batch.ts';
import { binlogKey } from '../batching/source-position.ts';
import type { ChangeRecord, SchemaRecord } from '../decode/change-record.ts';
import { sourceTableName } from '../decode/change-record.ts';
import { planSchemaChange } from '../mapping/schema-plan.ts';
import type { Mutation } from '../mapping/source-mapper.ts';
import type { CompiledTable } from '../mapping/table-mapping.ts';
import type { WireValue } from '../mapping/value-convert.ts';
import type { InboundMessage } from '../message.ts';
import type { SourceRoute } from './source-route.ts';

export type Built =
  | { readonly kind: 'event'; readonly event: BatchEvent; readonly records: readonly ChangeRecord[] }
  | { readonly kind: 'hold'; readonly reason: string; readonly records: readonly ChangeRecord[] }
  /** A TRUNCATE to apply: once everything before it is committed, delete every row of `table`. */
  | { readonly kind: 'truncate'; readonly table: CompiledTable; readonly records: readonly ChangeRecord[] };

export async function buildEvent(message: InboundMessage, route: SourceRoute): Promise<Built> {
  const records = await route.decoder.decode(message);
  const mutations: Mutation[] = [];
  let family: string | null = null;
  let sourceTsMs: number | null = null;
  for (const record of records) {
    const hold = holdReason(record, route);
    if (hold !== undefined) return { kind: 'hold', reason: hold, records };
    const outcome = route.mapper.map(record);
    sourceTsMs ??= record.sourceTsMs;
    if (outcome.kind === 'mutations') {
      mutations.push(...outcome.mutations);
      family = outcome.family;
    } else if (outcome.kind === 'schema-drift') {
      const table = sourceTableName(outcome.table.sourceTable);
      if (outcome.missing.length === 0 && followsNewColumns(route)) {
        // The schema-change topic brings the new columns' types; until its worker has added
        // them, this partition waits (and retries) instead of guessing.
        throw new CuttleError(
          'UNAVAILABLE',
          `${table} has new column(s) ${outcome.added.join(', ')}: waiting for their schema change`,
          {
            retryAfterSeconds: 1,
          },
        );
      }
      const parts = [
        outcome.added.length > 0 ? `new column(s) ${outcome.added.join(', ')}` : '',
        outcome.missing.length > 0 ? `missing mapped column(s) ${outcome.missing.join(', ')}` : '',
      ].filter((p) => p !== '');
      return {
        kind: 'hold',
        reason: `${table} changed at the origin (${parts.join('; ')}); update the source mapping`,
        records,
      };
    } else if (outcome.kind === 'truncate' && route.mapper.config.truncate !== 'ignore') {
      if (route.mapper.config.truncate === 'apply' && route.rows !== undefined && records.length === 1)
        return { kind: 'truncate', table: outcome.table, records };
      return {
        kind: 'hold',
        reason: `${sourceTableName(outcome.table.sourceTable)} was truncated at the origin`,
        records,
      };
    } else if (outcome.kind === 'schema') {
      const reason = await applySchemaChange(outcome.record, route);
      if (reason !== undefined) return { kind: 'hold', reason, records };
    }
  }
  const transaction = transactionOf(records[0]);
  const event: BatchEvent = {
    ...(transaction === undefined ? {} : { transaction }),
    offset: message.offset,
    family: mutations.length === 0 ? null : family,
    mutations,
    sourceTsMs,
    bytes: (message.value?.length ?? 0) + (message.key?.length ?? 0),
    sourceKey: binlogKey(records[0]?.position ?? null),
    message,
  };
  return { kind: 'event', event, records };
}

/** The origin transaction of an event's change; undefined when the event has none (tombstone). */
function transactionOf(record: ChangeRecord | undefined): EventTransaction | null | undefined {
  if (record === undefined) return undefined;
  const tx = record.transaction;
  if (tx === undefined || tx === null) return null;
  return { id: tx.id, table: sourceTableName(record.sourceTable), order: tx.collectionOrder };
}

function holdReason(record: ChangeRecord, route: SourceRoute): string | undefined {
  if (record.kind === 'schema') return undefined;
  return route.held.get(sourceTableName(record.sourceTable));
}

/**
 * The TRUNCATE of `table` as one event: a delete of every key the cuttle table holds now (the
 * caller has committed everything before the TRUNCATE, so that is every row it had).
 */
export async function truncateEvent(
  message: InboundMessage,
  built: Extract<Built, { kind: 'truncate' }>,
  route: SourceRoute,
): Promise<BatchEvent> {
  const { family, table, keyFields } = built.table.schema;
  const keys = route.rows === undefined ? [] : await route.rows.keys(family, table, keyFields);
  const mutations: Mutation[] = keys.map((row) => ({
    table,
    op: 'delete',
    key: Object.fromEntries(keyFields.map((k) => [k, row[k] as WireValue])),
  }));
  return {
    offset: message.offset,
    family: mutations.length === 0 ? null : family,
    mutations,
    sourceTsMs: built.records[0]?.sourceTsMs ?? null,
    bytes: (message.value?.length ?? 0) + mutations.length * 64,
    sourceKey: binlogKey(built.records[0]?.position ?? null),
    transaction: null,
    message,
  };
}

/**
 * Follows a schema change where that keeps every field's meaning (refreshed column types);
 * otherwise marks the table held. Adding fields needs the executive's schema API with admin
 * rights, which the loader (a writer) does not have: such a change is held with that reason.
 */
function followsNewColumns(route: SourceRoute): boolean {
  return route.schemaApi !== undefined && route.mapper.config.schemaChanges === 'add-columns';
}

async function applySchemaChange(record: SchemaRecord, route: SourceRoute): Promise<string | undefined> {
  for (const change of record.tableChanges) {
    // A snapshot describes the existing schema and starts with `DROP TABLE IF EXISTS` for every
    // table before its CREATE; only a DROP while streaming really removes the table.
    if (record.position.snapshot && change.type === 'DROP') continue;
    const table = route.mapper.table(change.sourceTable);
    if (table === undefined) continue;
    const name = sourceTableName(change.sourceTable);
    const plan = planSchemaChange(
      table,
      change,
      route.mapper.config.schemaChanges,
      route.mapper.config.encodings,
      binlogKey(record.position),
    );
    if (plan.action === 'none') continue;
    if (plan.action === 'apply' && (plan.addFields.length === 0 || followsNewColumns(route))) {
      if (plan.addFields.length > 0 && route.schemaApi !== undefined) {
        await route.schemaApi.addFields(table.schema.family, table.schema.table, plan.addFields);
        route.mapper.replaceTable(plan.mapping);
        try {
          await route.schemaApi.saveSource(route.mapper.currentConfig);
        } catch (err) {
          // Back to the old mapping, so that the retried event plans (and saves) the change
          // again: kept, the retry found nothing to do and the registry never learnt the new
          // columns, leaving the other loaders waiting for them (chaos seed 1.43, an executive
          // killed just after an ADD COLUMN).
          route.mapper.replaceTable(table.config);
          throw err;
        }
      } else {
        route.mapper.replaceTable(plan.mapping);
      }
      continue;
    }
    const reason =
      plan.action === 'hold'
        ? plan.reason
        : `${name} gained column(s) ${plan.addFields.map((f) => f.name).join(', ')}; the loader has no admin token to add fields (LOADER_ADMIN_TOKEN): add them with the schema API and update the source`;
    route.held.set(name, reason);
    return reason;
  }
  return undefined;
}
