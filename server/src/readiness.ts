// Whether this instance can mint tokens as configured, for GET /readyz: each dependency
// adds a check (the login provider's keys, Redis), and a stopping instance is never ready,
// so that load balancers take it out of rotation before it stops taking connections.

/** Answers why a dependency is not ready, or undefined when it is. */
export type ReadinessCheck = () => string | undefined;

/** One reason not to send this instance traffic, as /readyz lists it. */
export interface NotReady {
  /** The dependency or state: `jwks`, `redis`, `shutdown`. */
  field: string;
  message: string;
}

/** The checks that decide readiness. */
export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>();
  #stopping = false;

  /** Adds a check under a name; the name appears in /readyz's answer when it fails. */
  add(name: string, check: ReadinessCheck): void {
    this.#checks.set(name, check);
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
    for (const [field, check] of this.#checks) {
      const message = check();
      if (message !== undefined) reasons.push({ field, message });
    }
    return reasons;
  }
}
