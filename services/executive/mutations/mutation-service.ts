/**
 * The mutation path: check the request, plan it against the cached schemas, ask the limiter,
 * then commit it in one ctldb transaction (apply.ts) and wake the followers.
 */
import type { Ctldb } from '../../../lib/ctldb/dialect.ts';
import { CuttleError } from '../../../lib/errors.ts';
import type { LedgerNotifier } from '../../../lib/ledger/notifier.ts';
import { validateFamilyName } from '../../../lib/schema/names.ts';
import type { TableSchema } from '../../../lib/schema/types.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Admission, Limiter } from '../limits/limiter.ts';
import type { ExecutiveMetrics } from '../metrics.ts';
import { StaleSchemaError, applyBatch, type ApplyResult } from './apply.ts';
import { planMutation, tablesOf, usageOf, type PlanLimits, type PlannedMutation } from './plan.ts';
import { parseMutationRequest, type MutationRequest, type RequestLimits } from './request.ts';

export interface MutationServiceDeps {
  readonly ctldb: Ctldb;
  readonly catalog: Catalog;
  readonly limiter: Limiter;
  readonly notifier: LedgerNotifier;
  readonly metrics: ExecutiveMetrics;
  readonly limits: RequestLimits & PlanLimits;
}

/** How often a batch is re-planned when a concurrent schema change overtakes it. */
const STALE_SCHEMA_RETRIES = 3;

export class MutationService {
  readonly #deps: MutationServiceDeps;

  constructor(deps: MutationServiceDeps) {
    this.#deps = deps;
  }

  async mutate(writer: string, familyName: string, body: unknown): Promise<ApplyResult> {
    const family = validateFamilyName(familyName);
    const request = parseMutationRequest(body, family, this.#deps.limits);
    const stop = this.#deps.metrics.mutateSeconds.startTimer();
    try {
      const result = await this.#commit(writer, family, request);
      this.#record(family, result, request.mutations.length);
      return result;
    } catch (err) {
      const outcome =
        err instanceof CuttleError
          ? err.code === 'OFFSET_CONFLICT'
            ? 'conflict'
            : err.status < 500
              ? 'rejected'
              : 'failed'
          : 'failed';
      this.#deps.metrics.batches.inc({ outcome });
      throw err;
    } finally {
      stop();
    }
  }

  /**
   * Charges the limits once, then applies. A request that turns out not to apply (a duplicate of
   * one already committed, an offset conflict, a failure) gives its charge back: retries of lost
   * responses and loaders repositioning after a conflict do not eat into the writer's rate.
   */
  async #commit(writer: string, family: string, request: MutationRequest): Promise<ApplyResult> {
    let admission: Admission | undefined;
    try {
      const tables = tablesOf(family, request.mutations);
      for (let attempt = 0; ; attempt++) {
        const { schemas, planned } = await this.#plan(family, tables, request);
        // Charged once per request: a retry after a concurrent schema change is not a new request.
        if (attempt === 0 && planned.length > 0)
          admission = await this.#deps.limiter.admit({ writer, family, tables: usageOf(planned) });
        const result = await this.#apply(writer, family, request, planned, schemas, attempt);
        if (result === 'stale-schema') continue;
        if (result.status === 'applied' && result.lastSeq !== null)
          this.#deps.notifier.published(result.lastSeq);
        if (result.status === 'duplicate') await admission?.refund();
        return result;
      }
    } catch (err) {
      await admission?.refund();
      throw err;
    }
  }

  /** One attempt in one transaction; 'stale-schema' when a concurrent schema change requires a new plan. */
  async #apply(
    writer: string,
    family: string,
    request: MutationRequest,
    planned: PlannedMutation[],
    schemas: Map<string, { schema: TableSchema; version: number }>,
    attempt: number,
  ): Promise<ApplyResult | 'stale-schema'> {
    try {
      const batch = { writer, family, planned, schemas, offsets: request.offsets, cookie: request.cookie };
      return await this.#deps.ctldb.transaction((tx) => applyBatch(tx, this.#deps.ctldb.dialect, batch));
    } catch (err) {
      if (!(err instanceof StaleSchemaError)) throw err;
      for (const t of err.tables) this.#deps.catalog.invalidate(family, t);
      if (attempt >= STALE_SCHEMA_RETRIES) {
        throw new CuttleError('UNAVAILABLE', `the schema of ${family} kept changing; retry`, {
          details: { family },
          retryAfterSeconds: 1,
        });
      }
      return 'stale-schema';
    }
  }

  /**
   * Plans the batch against the cached schemas. A field unknown to the cache may have been added
   * by another executive since it was cached (the version check in the transaction comes after
   * planning): the cache is re-read once before the field is called unknown.
   */
  async #plan(
    family: string,
    tables: readonly string[],
    request: MutationRequest,
    fresh = false,
  ): Promise<{ schemas: Map<string, { schema: TableSchema; version: number }>; planned: PlannedMutation[] }> {
    const schemas = await this.#schemas(family, tables);
    try {
      const planned = request.mutations.map((m) => {
        const entry = schemas.get(String(m.table));
        if (entry === undefined) throw new Error(`schema of ${String(m.table)} vanished`);
        return planMutation(m, entry.schema, this.#deps.limits);
      });
      return { schemas, planned };
    } catch (err) {
      if (fresh || !(err instanceof CuttleError && err.code === 'UNKNOWN_FIELD')) throw err;
      for (const table of tables) this.#deps.catalog.invalidate(family, table);
      return this.#plan(family, tables, request, true);
    }
  }

  async #schemas(
    family: string,
    tables: readonly string[],
  ): Promise<Map<string, { schema: TableSchema; version: number }>> {
    const schemas = new Map<string, { schema: TableSchema; version: number }>();
    for (const table of tables) schemas.set(table, await this.#deps.catalog.require(family, table));
    return schemas;
  }

  #record(family: string, result: ApplyResult, mutations: number): void {
    const { metrics } = this.#deps;
    metrics.batches.inc({ outcome: result.status });
    if (result.status === 'applied' && mutations > 0) {
      metrics.mutations.inc({ family }, mutations);
      metrics.batchSize.observe(mutations);
    }
  }
}
