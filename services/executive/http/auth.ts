/**
 * Who may call what: admin routes need `authorization: Bearer <admin token>`; mutation routes
 * need the writer's name and secret in `x-cuttle-writer` / `x-cuttle-secret`.
 */
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { CuttleError } from '../../../lib/errors.ts';
import type { WriterStore } from '../writers/writer-store.ts';

export const WRITER_HEADER = 'x-cuttle-writer';
export const SECRET_HEADER = 'x-cuttle-secret';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

export class Auth {
  readonly #adminDigest: Buffer;
  readonly #writers: WriterStore;

  constructor(adminToken: string, writers: WriterStore) {
    this.#adminDigest = digest(adminToken);
    this.#writers = writers;
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

  /** Returns the authenticated writer's name. */
  requireWriter(request: FastifyRequest): Promise<string> {
    return this.#writers.authenticate(header(request, WRITER_HEADER), header(request, SECRET_HEADER));
  }

  /** Reads are open to the admin and to any writer. */
  async requireReader(request: FastifyRequest): Promise<void> {
    if (this.isAdmin(request)) return;
    if (this.#bearer(request) !== undefined) throw new CuttleError('FORBIDDEN', 'the admin token is wrong');
    await this.requireWriter(request);
  }
}
