/**
 * Who may call what: admin routes need `authorization: Bearer <admin token>`; mutation routes
 * need the writer's name and secret in `x-cuttle-writer` / `x-cuttle-secret`, and the family in
 * the writer's scope; reads take either. With `metadataAccess: token`, the metrics and schema
 * routes need a credential too (the admin token, any writer, or the metrics token for /metrics).
 */
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { CuttleError } from '../../../lib/errors.ts';
import type { AuthenticatedWriter, WriterAuthenticator } from '../writers/writer-auth.ts';
import { requireReadScope, requireWriteScope } from '../writers/writer-scope.ts';

export const WRITER_HEADER = 'x-cuttle-writer';
export const SECRET_HEADER = 'x-cuttle-secret';

export type MetadataAccess = 'open' | 'token';

export interface AuthOptions {
  readonly adminToken: string;
  /** @defaultValue 'open' */
  readonly metadataAccess?: MetadataAccess;
  /** A token that may read /metrics only (for a Prometheus scraper). */
  readonly metricsToken?: string | undefined;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

export class Auth {
  readonly #adminDigest: Buffer;
  readonly #metricsDigest: Buffer | undefined;
  readonly #writers: WriterAuthenticator;
  readonly metadataAccess: MetadataAccess;

  constructor(options: AuthOptions, writers: WriterAuthenticator) {
    this.#adminDigest = digest(options.adminToken);
    this.#metricsDigest = options.metricsToken === undefined ? undefined : digest(options.metricsToken);
    this.#writers = writers;
    this.metadataAccess = options.metadataAccess ?? 'open';
  }

  #bearer(request: FastifyRequest): string | undefined {
    const value = header(request, 'authorization');
    const match = value === undefined ? null : /^Bearer\s+(\S+)$/i.exec(value);
    return match?.[1];
  }

  isAdmin(request: FastifyRequest): boolean {
    const token = this.#bearer(request);
    return token !== undefined && timingSafeEqual(digest(token), this.#adminDigest);
  }

  requireAdmin(request: FastifyRequest): void {
    const token = this.#bearer(request);
    if (token === undefined) {
      throw new CuttleError(
        'UNAUTHENTICATED',
        'this route needs the admin token: send "authorization: Bearer <token>"',
      );
    }
    if (!timingSafeEqual(digest(token), this.#adminDigest))
      throw new CuttleError('FORBIDDEN', 'the admin token is wrong');
  }

  /** The authenticated writer. */
  requireWriter(request: FastifyRequest): Promise<AuthenticatedWriter> {
    return this.#writers.authenticate(header(request, WRITER_HEADER), header(request, SECRET_HEADER));
  }

  /** The writer, when `family` is in its scope (FAMILY_OUT_OF_SCOPE otherwise). */
  async requireWriterOf(request: FastifyRequest, family: unknown): Promise<AuthenticatedWriter> {
    const writer = await this.requireWriter(request);
    requireWriteScope(writer.name, writer.scope, family);
    return writer;
  }

  /** Reads of a family: the admin, or a writer whose scope holds it. */
  async requireReaderOf(request: FastifyRequest, family: unknown): Promise<void> {
    if (this.#adminOrNoToken(request)) return;
    const writer = await this.requireWriter(request);
    requireReadScope(writer.name, writer.scope, family);
  }

  /** Schema and family listings: open, or with `metadataAccess: token` the admin or any writer. */
  async requireMetadataReader(request: FastifyRequest): Promise<void> {
    if (this.metadataAccess === 'open' || this.#adminOrNoToken(request)) return;
    await this.requireWriter(request);
  }

  /** /metrics: open, or with `metadataAccess: token` the admin or the metrics token. */
  requireMetricsReader(request: FastifyRequest): void {
    if (this.metadataAccess === 'open') return;
    const token = this.#bearer(request);
    if (
      token !== undefined &&
      this.#metricsDigest !== undefined &&
      timingSafeEqual(digest(token), this.#metricsDigest)
    )
      return;
    this.requireAdmin(request);
  }

  /**
   * True for the admin; false when no bearer token is sent (the caller checks the writer);
   * FORBIDDEN for a wrong bearer token.
   */
  #adminOrNoToken(request: FastifyRequest): boolean {
    if (this.isAdmin(request)) return true;
    if (this.#bearer(request) !== undefined) throw new CuttleError('FORBIDDEN', 'the admin token is wrong');
    return false;
  }
}
