/**
 * The loaders' dead letters, for the admin page: list them, and record an operator's retry or
 * drop request exactly as `cuttle deadletters retry|drop` does (the loader holding the letter's
 * source carries it out). The queue is BullMQ in the executive's Redis (EXECUTIVE_REDIS_URL,
 * EXECUTIVE_DEAD_LETTER_PREFIX); without Redis there is no queue to show.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DeadLetterStore, StoredLetter } from '../../../lib/dead-letters/dead-letter.ts';
import { CuttleError, detailValue, ensureError, previewText } from '../../../lib/errors.ts';
import { adminSecurity, errors } from '../http/openapi.ts';
import type { RouteDeps } from '../http/route-deps.ts';

const MAX_ID_CHARS = 512;
type RequestBody = FastifyRequest<{ Body: unknown }>;

/** Anything but our own errors from the queue is Redis failing: retriable, not a bug. */
async function queued<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof CuttleError) throw err;
    throw new CuttleError(
      'UNAVAILABLE',
      `the dead-letter queue is unreachable: ${ensureError(err).message}`,
      {
        cause: err,
        retryAfterSeconds: 1,
      },
    );
  }
}

function parseRequest(body: unknown): { id: string; request: 'retry' | 'drop' } {
  const { id, request } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof id !== 'string' || id === '' || id.length > MAX_ID_CHARS) {
    throw new CuttleError('BAD_REQUEST', `id must be a dead letter's id (topic/partition/offset)`, {
      details: { id: detailValue(id) },
    });
  }
  if (request !== 'retry' && request !== 'drop') {
    throw new CuttleError(
      'BAD_REQUEST',
      `request must be "retry" or "drop", not ${previewText(String(request))}`,
      {
        details: { request: detailValue(request) },
      },
    );
  }
  return { id, request };
}

async function requestLetter(
  store: DeadLetterStore | undefined,
  id: string,
  request: 'retry' | 'drop',
): Promise<StoredLetter> {
  const missing = new CuttleError(
    'DEAD_LETTER_NOT_FOUND',
    store === undefined
      ? 'this executive has no dead-letter queue (EXECUTIVE_REDIS_URL is not set)'
      : `no dead letter ${previewText(id)}`,
    { details: { id: detailValue(id) } },
  );
  if (store === undefined) throw missing;
  return queued(async () => {
    if ((await store.get(id)) === undefined) throw missing;
    return store.request(id, request);
  });
}

export function deadLetterRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const tags = ['dead letters'];
  const security = adminSecurity;

  app.get(
    '/dead-letters',
    {
      schema: {
        tags,
        security,
        summary: "The loaders' dead letters, oldest first (queue: null when the executive has no Redis).",
        response: errors(401, 403, 503),
      },
    },
    async (request) => {
      deps.auth.requireAdmin(request);
      const store = deps.deadLetters;
      if (store === undefined) return { queue: null, letters: [] };
      return { queue: 'bullmq', letters: await queued(() => store.list()) };
    },
  );

  app.post(
    '/dead-letters/requests',
    {
      schema: {
        tags,
        security,
        summary: 'Ask the loaders to retry or drop a dead letter (as `cuttle deadletters retry|drop`).',
        body: {
          type: 'object',
          properties: {
            id: { type: 'string', description: '<topic>/<partition>/<offset>' },
            request: { type: 'string', enum: ['retry', 'drop'] },
          },
          required: ['id', 'request'],
        },
        response: errors(400, 401, 403, 404, 503),
      },
    },
    async (request: RequestBody) => {
      deps.auth.requireAdmin(request);
      const parsed = parseRequest(request.body);
      return { letter: await requestLetter(deps.deadLetters, parsed.id, parsed.request) };
    },
  );
}
