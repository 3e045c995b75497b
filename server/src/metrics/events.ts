// Counting into the app's metrics where each event happens: the finish hook gives a
// request's route, status and duration; the error handler its refusals; the rate limit its
// 429s; the issuer its tokens; authentication its outcome. Label children are made once each
// and kept, since every label set here is small and fixed.
import type { Counter, Histogram } from 'prom-client';
import { AUTHENTICATION_OUTCOMES, type AuthenticationOutcome } from '../auth/outcome';
import type { AppMetricSet } from './definitions';

/** The routes that issue tokens, whose counts start at zero for every role. */
export const TOKEN_ROUTES = ['/token', '/connection-details'] as const;

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];

/**
 * The child of a label set (its values joined by NUL, which no label value holds), made the
 * first time it is seen: label sets here are few.
 */
function childOf<Child>(children: Map<string, Child>, value: string, make: () => Child): Child {
  let child = children.get(value);
  if (child === undefined) {
    child = make();
    children.set(value, child);
  }
  return child;
}

/** Counts the app's events into its metrics. */
export class MetricEvents {
  readonly #durations = new Map<string, Histogram.Internal<'route' | 'status_class'>>();
  readonly #refusals = new Map<string, Counter.Internal>();
  readonly #issued = new Map<string, Counter.Internal>();
  readonly #budgets = new Map<string, Counter.Internal>();
  readonly #authentications = new Map<AuthenticationOutcome, Counter.Internal>();

  /**
   * Starts every known label set at zero: `roles` are the configured role names, `budgets`
   * the rate limits' budget names.
   */
  constructor(
    private readonly metrics: AppMetricSet,
    roles: Iterable<string>,
    budgets: Iterable<string>,
  ) {
    const roleNames = [...roles];
    for (const route of TOKEN_ROUTES) {
      for (const role of roleNames) this.#issuedChild(route, role).inc(0);
    }
    for (const budget of budgets) this.#budgetChild(budget).inc(0);
    for (const outcome of AUTHENTICATION_OUTCOMES) {
      const child = metrics.callerAuthentications.labels(outcome);
      child.inc(0);
      this.#authentications.set(outcome, child);
    }
  }

  /** One answered request, by the route it matched, its status and how long it took. */
  requestFinished(route: string, status: number, durationSeconds: number): void {
    const statusClass = STATUS_CLASSES[Math.floor(status / 100) - 1] ?? 'other';
    childOf(this.#durations, `${route}\0${statusClass}`, () =>
      this.metrics.requestDuration.labels(route, statusClass),
    ).observe(durationSeconds);
  }

  /** One request refused with an error code, by the route that refused it. */
  refused(route: string, code: string): void {
    childOf(this.#refusals, `${route}\0${code}`, () =>
      this.metrics.requestsRefused.labels(route, code),
    ).inc();
  }

  /** One request refused for being over a budget. */
  rateLimited(budget: string): void {
    this.#budgetChild(budget).inc();
  }

  /** One token issued, by route and role. */
  tokenIssued(route: string, role: string): void {
    this.#issuedChild(route, role).inc();
  }

  /** One caller authentication, by how it ended. */
  authenticated(outcome: AuthenticationOutcome): void {
    this.#authentications.get(outcome)?.inc();
  }

  #issuedChild(route: string, role: string): Counter.Internal {
    return childOf(this.#issued, `${route}\0${role}`, () =>
      this.metrics.tokensIssued.labels(route, role),
    );
  }

  #budgetChild(budget: string): Counter.Internal {
    return childOf(this.#budgets, budget, () => this.metrics.rateLimited.labels(budget));
  }
}
