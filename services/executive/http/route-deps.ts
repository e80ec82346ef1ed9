/** What the route modules need; built once in app.ts. */
import type { Ctldb } from '../../../lib/ctldb/dialect.ts';
import type { DeadLetterStore } from '../../../lib/dead-letters/dead-letter.ts';
import type { StatusSource } from '../../../lib/status/store.ts';
import type { SourcesAdmin } from '../admin/sources-admin.ts';
import type { LimitSettingsStore } from '../limit-settings/limit-settings-store.ts';
import type { Limiter } from '../limits/limiter.ts';
import type { ExecutiveMetrics } from '../metrics.ts';
import type { MutationService } from '../mutations/mutation-service.ts';
import type { ReadService } from '../reads/read-service.ts';
import type { SchemaService } from '../schema/schema-service.ts';
import type { WriterStore } from '../writers/writer-store.ts';
import type { Auth } from './auth.ts';

export interface RouteDeps {
  readonly ctldb: Ctldb;
  readonly auth: Auth;
  readonly schema: SchemaService;
  readonly writers: WriterStore;
  readonly mutations: MutationService;
  readonly reads: ReadService;
  readonly limitSettings: LimitSettingsStore;
  readonly limiter: Limiter;
  readonly metrics: ExecutiveMetrics;
  /** Status records of the fleet, for `GET /fleet`. */
  readonly fleet: StatusSource;
  /** The loaders' dead-letter queue, when the executive has Redis (admin page). */
  readonly deadLetters: DeadLetterStore | undefined;
  readonly sources: SourcesAdmin;
}
