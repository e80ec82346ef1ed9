/**
 * JSON bodies are parsed here rather than by fastify's default parser, for two reasons:
 * - invalid UTF-8 must be refused, not repaired: decoding would silently replace bad bytes
 *   with U+FFFD and store a value the client never sent;
 * - a malformed body is the client's mistake (400 BAD_REQUEST), with one stable code.
 * Lone surrogates written as JSON escapes ("\ud800") are valid JSON; lib/schema/values.ts rejects
 * them as INVALID_UTF8 where they would become a stored value.
 */
import type { FastifyInstance } from 'fastify';
import { isUtf8 } from 'node:buffer';
import { CuttleError } from '../../../lib/errors.ts';

export function parseJsonBody(raw: Buffer): unknown {
  if (!isUtf8(raw)) throw new CuttleError('INVALID_UTF8', 'the request body is not valid UTF-8');
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CuttleError('BAD_REQUEST', `the request body is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

export function registerJsonBody(app: FastifyInstance, bodyLimit: number): void {
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
