/**
 * Malformed HTTP that never becomes a request (Node's parser refuses it: Content-Length with
 * Transfer-Encoding, two Content-Lengths, a bad chunk size, NUL or spaces in a header name, an
 * unknown method, oversized headers, a request too slow to arrive) gets the same error body as
 * every other refusal, written straight to the socket, then the connection is closed: after a
 * framing error nothing else on it can be trusted.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { CuttleError } from '../../../lib/errors.ts';
import type { Logger } from '../../../lib/logging.ts';

interface ParserError extends Error {
  readonly code?: string;
}

/** What a parser error means, as one of our codes. */
export function clientErrorOf(err: ParserError): CuttleError {
  const parserCode = err.code ?? 'unknown';
  const details = { parserCode };
  if (parserCode === 'HPE_HEADER_OVERFLOW') {
    return new CuttleError('HEADERS_TOO_LARGE', 'the request line and headers are too large', { details });
  }
  if (parserCode === 'ERR_HTTP_REQUEST_TIMEOUT' || parserCode === 'ERR_HTTP_HEADERS_TIMEOUT') {
    return new CuttleError('REQUEST_TIMEOUT', 'the request did not arrive in time', { details });
  }
  return new CuttleError('MALFORMED_REQUEST', `malformed HTTP request (${parserCode})`, { details });
}

/** The raw HTTP/1.1 response for a refusal that has no request object. */
export function rawErrorResponse(err: CuttleError): string {
  const body = JSON.stringify(err.toJSON());
  return [
    `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

interface InFlight {
  readonly _httpMessage?: { readonly headersSent?: boolean } | null;
}

/** For fastify's `clientErrorHandler` option. */
export function clientErrorHandler(log: Logger): (err: ParserError, socket: Socket) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const refusal = clientErrorOf(err);
    log.debug({ code: refusal.code, parserCode: err.code }, 'malformed request refused');
    // As Node's own handler: answer only when no response of this connection has begun, or the
    // two would interleave on the wire.
    const inFlight = (socket as Socket & InFlight)._httpMessage;
    if (!socket.writable || inFlight?.headersSent === true) {
      socket.destroy();
      return;
    }
    socket.end(rawErrorResponse(refusal), () => socket.destroy());
  };
}
