// Registers the route table on an Express app: for each route, what its access puts in front
// of the handler (authentication, budget, refusal, body), then the handler; for each path, a
// 405 naming the methods it takes. Routes sit directly on the app, one layer each: nested
// routers cost time on every request.
import type { Express, RequestHandler } from 'express';
import { requireAuthentication } from '../auth';
import { methodNotAllowed } from '../errors';
import { jsonBody, rawBody } from '../json-body';
import type { BudgetName } from '../rate-limit/budgets';
import { inviteOrAuthentication } from './invite-credential';
import type { AppParts, Route, RouteAccess } from './route';

/** The middleware that guarded routes share, built once per app. */
export interface RouteGuards {
  /** Establishes the caller (or keeps the refusal for later). */
  authenticate: RequestHandler;
  /** Checks a LiveKit host token on the moderation routes, before the caller's. */
  moderatorToken: RequestHandler;
  /** Each budget's limiter: routes naming one budget share its counts. */
  budgets: Readonly<Record<BudgetName, RequestHandler>>;
}

/** Whether a configuration serves a route. */
export function isServed(route: Route, config: AppParts['config']): boolean {
  return route.servedWhen?.(config) ?? true;
}

/**
 * What runs before a route's handler. Who is calling comes first, so that the budget counts
 * per caller, failed logins included; only then is a body read.
 */
function guardOf(access: RouteAccess, parts: AppParts, guards: RouteGuards): RequestHandler[] {
  if (access.kind === 'public') return [];
  if (access.kind === 'webhook') return [rawBody(access.bodyLimitBytes(parts.config))];
  if (access.kind === 'caller' && access.invites !== undefined) {
    const limit = access.bodyLimitBytes?.(parts.config) ?? 0;
    return [
      guards.authenticate,
      guards.budgets[access.budget],
      ...inviteOrAuthentication(access.invites, limit),
    ];
  }
  const chain =
    access.kind === 'caller'
      ? [guards.authenticate, guards.budgets[access.budget], requireAuthentication]
      : [
          guards.moderatorToken,
          unlessModerator(guards.authenticate),
          guards.budgets[access.budget],
          unlessModerator(requireAuthentication),
        ];
  if (access.bodyLimitBytes !== undefined)
    chain.push(jsonBody(access.bodyLimitBytes(parts.config)));
  return chain;
}

/** Runs `handler` unless a LiveKit host token already made the request a moderator's. */
function unlessModerator(handler: RequestHandler): RequestHandler {
  return (req, res, next) =>
    res.locals.moderator === undefined ? handler(req, res, next) : next();
}

/** Registers every route the configuration serves, in the table's order. */
export function registerRoutes(
  app: Express,
  routes: readonly Route[],
  parts: AppParts,
  guards: RouteGuards,
): void {
  const byPath = new Map<string, Route[]>();
  for (const route of routes) {
    if (!isServed(route, parts.config)) continue;
    byPath.set(route.path, [...(byPath.get(route.path) ?? []), route]);
  }
  for (const [path, pathRoutes] of byPath) {
    const chain = app.route(path);
    for (const route of pathRoutes) {
      chain[route.method](...guardOf(route.access, parts, guards), route.handler(parts));
    }
    chain.all(methodNotAllowed(...pathRoutes.map((route) => route.method.toUpperCase())));
  }
}
