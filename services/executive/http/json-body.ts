/**
 * JSON bodies are parsed here rather than by fastify's default parser, for three reasons:
 * - invalid UTF-8 must be refused, not repaired: decoding would silently replace bad bytes
 *   with U+FFFD and store a value the client never sent;
 * - depth is bounded and numbers a double cannot carry are kept for the field to refuse by name
 *   (lib/json/wire-json.ts), so nothing is silently rounded;
 * - a malformed body is the client's mistake (400 BAD_REQUEST), with one stable code.
 * Lone surrogates written as JSON escapes ("\ud800") are valid JSON; lib/schema/values.ts rejects
 * them as INVALID_UTF8 where they would become a stored value.
 */
import type { FastifyInstance } from 'fastify';
import { isUtf8 } from 'node:buffer';
import { CuttleError } from '../../../lib/errors.ts';
import { parseWireJson } from '../../../lib/json/wire-json.ts';

export function parseJsonBody(raw: Buffer): unknown {
  if (!isUtf8(raw)) throw new CuttleError('INVALID_UTF8', 'the request body is not valid UTF-8');
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  return parseWireJson(text);
}

export function registerJsonBody(app: FastifyInstance, bodyLimit: number): void {
  // Every body of the API is JSON: other media types are refused (415) rather than handed to
  // routes as strings.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
