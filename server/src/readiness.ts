// Whether this instance can mint tokens as configured, for GET /readyz: each dependency
// it cannot serve without adds a check (the login provider's keys), and a stopping instance
// is never ready, so that load balancers take it out of rotation before it stops taking
// connections. A dependency it serves without, less well (Redis, for the rate limits), is
// reported as a degradation: were it a failed check, one Redis outage would take every
// instance out of rotation at once, although each can serve.

/** Answers why a dependency is not ready, or undefined when it is. */
export type ReadinessCheck = () => string | undefined;

/** One reason not to send this instance traffic, as /readyz lists it. */
export interface NotReady {
  /** The dependency or state: `jwks`, `redis`, `shutdown`. */
  field: string;
  message: string;
}

/** The checks that decide readiness, and those that only report a degradation. */
export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>();
  readonly #degradations = new Map<string, ReadinessCheck>();
  #stopping = false;

  /** Adds a check under a name; the name appears in /readyz's answer when it fails. */
  add(name: string, check: ReadinessCheck): void {
    this.#checks.set(name, check);
  }

  /** Adds a check that, failing, leaves the instance ready and is reported beside. */
  addDegradation(name: string, check: ReadinessCheck): void {
    this.#degradations.set(name, check);
  }

  /** Every way the instance serves less well than configured now; empty when none. */
  degraded(): NotReady[] {
    return reasonsOf(this.#degradations);
  }

  /** From now on the instance is not ready: it is draining before it stops. */
  markStopping(): void {
    this.#stopping = true;
  }

  /** True once markStopping was called. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** Every reason not to be ready now; empty when ready. */
  notReady(): NotReady[] {
    const reasons: NotReady[] = [];
    if (this.#stopping) {
      reasons.push({ field: 'shutdown', message: 'the server is shutting down' });
    }
    reasons.push(...reasonsOf(this.#checks));
    return reasons;
  }
}

/** The failing checks of a set, by name. */
function reasonsOf(checks: ReadonlyMap<string, ReadinessCheck>): NotReady[] {
  const reasons: NotReady[] = [];
  for (const [field, check] of checks) {
    const message = check();
    if (message !== undefined) reasons.push({ field, message });
  }
  return reasons;
}
