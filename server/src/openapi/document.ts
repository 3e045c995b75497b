// Assembles the OpenAPI 3.1 document of one app: its routes' operations as its configuration
// makes them (auth mode, roles, limits), the shared error shape and headers, and the
// security schemes of its AUTH_MODE. Built once, when the app is.
import type { ErrorCode } from './error-codes';
import { ERROR_SCHEMA, HEADERS } from './responses';
import { DOCUMENTED_ROUTES } from './routes';
import { securitySchemes } from './security';
import type { OpenApiContext, OpenApiDocument, Operation } from './types';

/** How callers authenticate, in a sentence for the document's description. */
const AUTH_MODE_SENTENCES = {
  none: 'AUTH_MODE=none: callers are not authenticated.',
  'api-key':
    'AUTH_MODE=api-key: trusted backends send one of TOKEN_SERVER_API_KEYS as X-API-Key or Authorization: Bearer.',
  jwt: "AUTH_MODE=jwt: signed-in users send their login's session JWT as Authorization: Bearer.",
} as const;

/** The errors of no route: every path and method answers them alike. */
const NOT_FOUND: ErrorCode = 'NOT_FOUND';
const METHOD_NOT_ALLOWED: ErrorCode = 'METHOD_NOT_ALLOWED';

/** The operation with its answers in the order of their status. */
function withSortedResponses(operation: Operation): Operation {
  const responses = Object.entries(operation.responses).sort(([a], [b]) => a.localeCompare(b));
  return { ...operation, responses: Object.fromEntries(responses) };
}

/** The OpenAPI document of an app built with this context's configuration. */
export function buildOpenApiDocument(context: OpenApiContext): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of DOCUMENTED_ROUTES) {
    paths[route.path] = {
      ...paths[route.path],
      [route.method]: withSortedResponses(route.operation(context)),
    };
  }
  const schemes = securitySchemes(context.config.auth);
  return {
    openapi: '3.1.0',
    info: {
      title: 'LiveKit token server',
      version: context.serverVersion,
      description: [
        'Mints and validates LiveKit access tokens. This document describes this server as it is configured: its roles, limits and authentication.',
        AUTH_MODE_SENTENCES[context.config.auth.mode],
        'Every answer is JSON; every error has the shape `{"error": {"code", "message", "details"?}}`: branch on `code`.',
        `A path the server does not serve answers 404 \`${NOT_FOUND}\`; a path it serves, asked with another method, 405 \`${METHOD_NOT_ALLOWED}\` with an Allow header naming the right one.`,
      ].join('\n\n'),
    },
    tags: [
      { name: 'tokens', description: 'Minting and checking LiveKit tokens.' },
      { name: 'health', description: 'Whether the server is up.' },
    ],
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      headers: HEADERS,
      ...(schemes === undefined ? {} : { securitySchemes: schemes }),
    },
  };
}
