// Assembles the OpenAPI 3.1 document of one app from the route table: each served route's
// operation as its configuration makes it (auth mode, roles, limits), with what its access
// puts in front of it (errors, headers, security), the shared error shape and headers, and
// the security schemes of its AUTH_MODE. Built only where it is served or asked for.
import type { Config } from '../config';
import type { ErrorCode } from '../error-codes';
import { BUDGETS } from '../rate-limit/budgets';
import { isServed } from '../routes/register';
import type { RouteAccess, Route } from '../routes/route';
import { ROUTES } from '../routes/table';
import { ANY_REQUEST_ERRORS, authenticationErrors, bodyErrors, type RouteGuard } from './guard';
import { ERROR_SCHEMA, HEADERS } from './responses';
import {
  LIVEKIT_HOST_TOKEN,
  LIVEKIT_HOST_TOKEN_SCHEME,
  securityRequirements,
  securitySchemes,
} from './security';
import type { OpenApiDocument, Operation, SecurityRequirement } from './types';

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

/** What a route's access puts in front of its handler, as the document states it. */
export function routeGuard(access: RouteAccess, config: Config): RouteGuard {
  if (access.kind === 'webhook') {
    return {
      errors: [
        ...ANY_REQUEST_ERRORS,
        'INVALID_WEBHOOK',
        'REQUEST_ABORTED',
        'UNSUPPORTED_MEDIA_TYPE',
        'PAYLOAD_TOO_LARGE',
      ],
      headers: [],
      rateLimitPerMinute: 0,
      bodyLimitBytes: access.bodyLimitBytes(config),
    };
  }
  if (access.kind === 'public') {
    return {
      errors: ANY_REQUEST_ERRORS,
      headers: [],
      rateLimitPerMinute: 0,
      bodyLimitBytes: undefined,
    };
  }
  const rateLimitPerMinute = BUDGETS[access.budget].perMinute(config);
  const bodyLimitBytes = access.bodyLimitBytes?.(config);
  return {
    errors: [
      ...ANY_REQUEST_ERRORS,
      ...authenticationErrors(config),
      // A LiveKit host token is checked in every mode, and moderates one room at most.
      ...(access.kind === 'moderator'
        ? ([
            ...(config.auth.mode === 'none' ? (['INVALID_CREDENTIALS'] as const) : []),
            'NOT_A_MODERATOR',
          ] as const)
        : []),
      ...(rateLimitPerMinute > 0 ? (['RATE_LIMITED'] as const) : []),
      ...(bodyLimitBytes === undefined ? [] : bodyErrors(bodyLimitBytes)),
    ],
    headers: rateLimitPerMinute > 0 ? ['RateLimit', 'RateLimit-Policy'] : [],
    rateLimitPerMinute,
    bodyLimitBytes,
  };
}

/** What a route requires of its callers, as the document states it. */
function securityOf(access: RouteAccess, config: Config): SecurityRequirement[] | undefined {
  if (access.kind === 'public' || access.kind === 'webhook') return undefined;
  const callers = securityRequirements(config.auth);
  if (access.kind === 'caller') return callers;
  // A host token moderates in every mode; without AUTH_MODE's schemes it is the only way.
  return [...(callers ?? []), { [LIVEKIT_HOST_TOKEN_SCHEME]: [] }];
}

/** An Express path as OpenAPI writes it: `/bans/:id` becomes `/bans/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z_]\w*)/g, '{$1}');
}

/** The OpenAPI document of an app with this configuration, from its route table. */
export function buildOpenApiDocument(
  config: Config,
  serverVersion: string,
  routes: readonly Route[] = ROUTES,
): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    if (route.operation === undefined || !isServed(route, config)) continue;
    const guard = routeGuard(route.access, config);
    const security = securityOf(route.access, config);
    const operation = route.operation({ config, serverVersion, guard });
    const path = openApiPath(route.path);
    paths[path] = {
      ...paths[path],
      [route.method]: withSortedResponses({
        ...operation,
        ...(security === undefined ? {} : { security }),
      }),
    };
  }
  const moderated = routes.some(
    (route) =>
      route.access.kind === 'moderator' && route.operation !== undefined && isServed(route, config),
  );
  const schemes = {
    ...securitySchemes(config.auth),
    ...(moderated ? { [LIVEKIT_HOST_TOKEN_SCHEME]: LIVEKIT_HOST_TOKEN } : {}),
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'LiveKit token server',
      version: serverVersion,
      description: [
        'Mints and validates LiveKit access tokens. This document describes this server as it is configured: its roles, limits and authentication.',
        AUTH_MODE_SENTENCES[config.auth.mode],
        'Every answer is JSON; every error has the shape `{"error": {"code", "message", "details"?}}`: branch on `code`.',
        `A path the server does not serve answers 404 \`${NOT_FOUND}\`; a path it serves, asked with another method, 405 \`${METHOD_NOT_ALLOWED}\` with an Allow header naming the right one.`,
      ].join('\n\n'),
    },
    tags: [
      { name: 'tokens', description: 'Minting and checking LiveKit tokens.' },
      { name: 'health', description: 'Whether the server is up.' },
      {
        name: 'moderation',
        description:
          'Bans, room caps and the audit trail, and the receiver of LiveKit webhooks that makes bans hold (docs/moderation.md).',
      },
      {
        name: 'invites',
        description:
          "Invite codes that let guests in without an API key or login, and the lobby where a waiting room's guests wait to be admitted (docs/invites.md).",
      },
    ],
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      headers: HEADERS,
      ...(Object.keys(schemes).length === 0 ? {} : { securitySchemes: schemes }),
    },
  };
}
