// Counts each answered request into the app's metrics, from what the request left behind:
// its status, its matched route, res.locals (caller, auth refusal, error code, issued role)
// and the RateLimit-Policy header of a 429. The request context calls it once per request.
import type { Request, Response } from 'express';
import type { Counter, Histogram } from 'prom-client';
import type { Caller } from '../caller';
import type { AppMetricSet } from './definitions';

/** The route label of requests no route matched: never the path they asked for. */
export const OTHER_ROUTE = 'other';

/** The routes that issue tokens. */
export const TOKEN_ROUTES = ['/token', '/connection-details'] as const;

/** The rate-limit budgets, counted from zero. */
export const BUDGETS = ['token', 'validate'] as const;

/** The outcomes of caller_authentications_total. */
export const AUTHENTICATION_OUTCOMES = [
  'anonymous',
  'api_key',
  'jwt',
  'invalid',
  'missing',
  'unavailable',
] as const;

type AuthenticationOutcome = (typeof AUTHENTICATION_OUTCOMES)[number];

/** The code of a refusal that carries none: an answer not written by the error handler. */
const UNKNOWN_CODE = 'UNKNOWN';

const OUTCOME_OF_CALLER: Readonly<Record<Caller['kind'], AuthenticationOutcome>> = {
  anonymous: 'anonymous',
  'api-key': 'api_key',
  jwt: 'jwt',
};

/** Authentication refusals by their error code; any other refusal counts as invalid. */
const OUTCOME_OF_REFUSAL: ReadonlyMap<string, AuthenticationOutcome> = new Map([
  ['AUTHENTICATION_REQUIRED', 'missing'],
  ['INVALID_CREDENTIALS', 'invalid'],
  ['AUTH_UNAVAILABLE', 'unavailable'],
]);

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];

/** The child of a label value, made the first time it is seen: label sets here are few. */
function childOf<Child>(children: Map<string, Child>, value: string, make: () => Child): Child {
  let child = children.get(value);
  if (child === undefined) {
    child = make();
    children.set(value, child);
  }
  return child;
}

/** One route's label children, so that a request names its route's labels only once. */
class RouteChildren {
  readonly #durations = new Map<string, Histogram.Internal<'route' | 'status_class'>>();
  readonly #refusals = new Map<string, Counter.Internal>();
  readonly #issued = new Map<string, Counter.Internal>();

  constructor(
    private readonly route: string,
    private readonly metrics: AppMetricSet,
  ) {}

  duration(status: number): Histogram.Internal<'route' | 'status_class'> {
    const statusClass = STATUS_CLASSES[Math.floor(status / 100) - 1] ?? 'other';
    return childOf(this.#durations, statusClass, () =>
      this.metrics.requestDuration.labels(this.route, statusClass),
    );
  }

  refused(code: string): Counter.Internal {
    return childOf(this.#refusals, code, () =>
      this.metrics.requestsRefused.labels(this.route, code),
    );
  }

  issued(role: string): Counter.Internal {
    return childOf(this.#issued, role, () => this.metrics.tokensIssued.labels(this.route, role));
  }
}

/**
 * The budget a 429 was over, as its RateLimit-Policy header names it (`"token"; q=…`): the
 * rate limit is the one place that knows which budget a route spends.
 */
function budgetOf(res: Response): string | undefined {
  const policy = res.getHeader('RateLimit-Policy');
  if (typeof policy !== 'string' || !policy.startsWith('"')) return undefined;
  const end = policy.indexOf('"', 1);
  return end > 1 ? policy.slice(1, end) : undefined;
}

/** Counts answered requests into the metrics; label children are made once each. */
export class RequestRecorder {
  /** By matched route path: the app's own route strings, a fixed set. */
  readonly #routes = new Map<string, RouteChildren>();
  readonly #budgets = new Map<string, Counter.Internal>();
  readonly #authentications = new Map<AuthenticationOutcome, Counter.Internal>();

  /** Starts every known label set at zero: `roles` are the configured role names. */
  constructor(
    private readonly metrics: AppMetricSet,
    roles: Iterable<string>,
  ) {
    const roleNames = [...roles];
    for (const route of TOKEN_ROUTES) {
      for (const role of roleNames) this.#route(route).issued(role).inc(0);
    }
    for (const budget of BUDGETS) this.#budget(budget).inc(0);
    for (const outcome of AUTHENTICATION_OUTCOMES) {
      const child = metrics.callerAuthentications.labels(outcome);
      child.inc(0);
      this.#authentications.set(outcome, child);
    }
  }

  /** Counts one answered request that took `durationSeconds`. */
  record(req: Request, res: Response, durationSeconds: number): void {
    const routePath: unknown = req.route?.path;
    const route = this.#route(typeof routePath === 'string' ? routePath : OTHER_ROUTE);
    const status = res.statusCode;
    const { locals } = res;
    route.duration(status).observe(durationSeconds);
    if (typeof locals.issuedRole === 'string') route.issued(locals.issuedRole).inc();
    if (status >= 400) {
      const code = typeof locals.errorCode === 'string' ? locals.errorCode : UNKNOWN_CODE;
      route.refused(code).inc();
      if (code === 'RATE_LIMITED') {
        const budget = budgetOf(res);
        if (budget !== undefined) this.#budget(budget).inc();
      }
    }
    const outcome = authenticationOutcome(locals);
    if (outcome !== undefined) this.#authentications.get(outcome)?.inc();
  }

  #route(route: string): RouteChildren {
    return childOf(this.#routes, route, () => new RouteChildren(route, this.metrics));
  }

  #budget(budget: string): Counter.Internal {
    return childOf(this.#budgets, budget, () => this.metrics.rateLimited.labels(budget));
  }
}

/**
 * How authentication ended for a request, or undefined for routes that do not check
 * callers: authentication leaves either a caller or a refusal in res.locals.
 */
function authenticationOutcome(locals: Record<string, unknown>): AuthenticationOutcome | undefined {
  const refusal = locals.authError as { code?: unknown } | undefined;
  if (refusal !== undefined) {
    const code = typeof refusal.code === 'string' ? refusal.code : '';
    return OUTCOME_OF_REFUSAL.get(code) ?? 'invalid';
  }
  const caller = locals.caller as Caller | undefined;
  return caller === undefined ? undefined : OUTCOME_OF_CALLER[caller.kind];
}
