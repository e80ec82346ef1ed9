/** Builds the executive's fastify server: body parsing, errors, metrics, OpenAPI, routes. */
import swagger from '@fastify/swagger';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { CuttleError, detailValue, previewText } from '../../../lib/errors.ts';
import type { Logger } from '../../../lib/logging.ts';
import { deadLetterRoutes } from '../admin/dead-letter-routes.ts';
import { sourceRoutes } from '../admin/source-routes.ts';
import { limitUsageRoutes } from '../limits/limit-usage-routes.ts';
import { uiRoutes } from '../ui/ui-routes.ts';
import { clientErrorHandler } from './client-errors.ts';
import { toCuttleError } from './errors.ts';
import { registerJsonBody } from './json-body.ts';
import { openapiDocument } from './openapi.ts';
import type { RouteDeps } from './route-deps.ts';
import { fleetRoutes } from './routes/fleet-routes.ts';
import { healthRoutes } from './routes/health-routes.ts';
import { limitRoutes } from './routes/limit-routes.ts';
import { mutationRoutes } from './routes/mutation-routes.ts';
import { schemaRoutes } from './routes/schema-routes.ts';
import { writerRoutes } from './routes/writer-routes.ts';

export interface ServerOptions {
  readonly log: Logger;
  readonly maxBodyBytes: number;
}

/** Each module registers its routes; add new ones here. */
const routeModules = [
  healthRoutes,
  schemaRoutes,
  writerRoutes,
  mutationRoutes,
  limitRoutes,
  limitUsageRoutes,
  fleetRoutes,
  sourceRoutes,
  deadLetterRoutes,
  uiRoutes,
];

function sendError(thrown: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const err = toCuttleError(thrown);
  if (err.status >= 500)
    request.log.error({ err: thrown, code: err.code, url: request.url }, 'request failed');
  else request.log.debug({ code: err.code, url: request.url, message: err.message }, 'request rejected');
  if (err.retryAfterSeconds !== undefined)
    void reply.header('retry-after', String(Math.ceil(err.retryAfterSeconds)));
  void reply.status(err.status).send(err.toJSON());
}

function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((thrown, request, reply) => sendError(thrown, request, reply));
  app.setNotFoundHandler((request, reply) => {
    const path = previewText(request.url.split('?')[0] ?? '');
    sendError(new CuttleError('NOT_FOUND', `no route ${request.method} ${path}`), request, reply);
  });
  // A repeated query key (?writer=a&writer=b) arrives as an array, which no route expects.
  app.addHook('onRequest', (request, _reply, done) => {
    const repeated = Object.entries(request.query as Record<string, unknown>).find(([, v]) =>
      Array.isArray(v),
    );
    if (repeated === undefined) return done();
    done(
      new CuttleError('BAD_REQUEST', `query parameter ${previewText(repeated[0])} is given more than once`, {
        details: { parameter: detailValue(repeated[0]) },
      }),
    );
  });
}

function registerMetrics(app: FastifyInstance, deps: RouteDeps): void {
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    deps.metrics.httpSeconds.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    done();
  });
}

export async function buildServer(deps: RouteDeps, options: ServerOptions): Promise<FastifyInstance> {
  // Typed as fastify's base logger so the instance keeps the default FastifyInstance type.
  const logger: FastifyBaseLogger = options.log;
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.maxBodyBytes,
    // Errors raised before routing (bad percent-encoding, a path parameter over maxParamLength)
    // and malformed HTTP get cuttle's error body too.
    frameworkErrors: (err, request, reply) => sendError(err, request, reply),
    clientErrorHandler: clientErrorHandler(options.log),
  });
  // Schemas document the API; our own validation checks requests (see openapi.ts).
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  registerJsonBody(app, options.maxBodyBytes);
  registerErrorHandling(app);
  registerMetrics(app, deps);
  await app.register(swagger, openapiDocument);
  for (const register of routeModules) register(app, deps);
  await app.ready();
  return app;
}
