/**
 * The admin web page (issue 16): GET /ui is a static shell with no data in it, so it needs no
 * credential; its script asks for the admin token and calls the admin JSON API with it, where
 * every route checks the token as it does for the CLI. A strict Content-Security-Policy allows
 * only this executive's own scripts, styles and API (no inline script, no eval, no framing), so
 * even a name that slipped past the page's escaping could not run.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CuttleError, previewText } from '../../../lib/errors.ts';
import { errors, openSecurity } from '../http/openapi.ts';
import type { RouteDeps } from '../http/route-deps.ts';
import { SHELL_HTML, STYLE_CSS } from './shell.ts';
import { browserModule } from './ui-assets.ts';

export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

type AssetRequest = FastifyRequest<{ Params: { file: string } }>;

function send(reply: FastifyReply, type: string, body: string): FastifyReply {
  return reply
    .header('content-security-policy', UI_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .type(type)
    .send(body);
}

export function uiRoutes(app: FastifyInstance, _deps: RouteDeps): void {
  const tags = ['ui'];

  app.get(
    '/ui',
    {
      schema: {
        tags,
        security: openSecurity,
        summary: 'The admin web page: a static shell that asks for the admin token (no data in it).',
        produces: ['text/html'],
      },
    },
    (_request, reply) => send(reply, 'text/html; charset=utf-8', SHELL_HTML),
  );

  app.get(
    '/ui/assets/:file',
    {
      schema: {
        tags,
        security: openSecurity,
        summary: "The admin page's style sheet (app.css) and browser modules (<name>.js).",
        params: { type: 'object', properties: { file: { type: 'string' } }, required: ['file'] },
        response: errors(404),
      },
    },
    async (request: AssetRequest, reply) => {
      const file = request.params.file;
      if (file === 'app.css') return send(reply, 'text/css; charset=utf-8', STYLE_CSS);
      const js = file.endsWith('.js') ? browserModule(file.slice(0, -3)) : undefined;
      if (js === undefined) throw new CuttleError('NOT_FOUND', `no asset ${previewText(file)}`);
      return send(reply, 'text/javascript; charset=utf-8', await js);
    },
  );
}
