// Who is calling, as authentication established it, and the one label that names a caller
// in the access log and in rate-limit budgets. A leaf module: it imports nothing of ours.

/** Who is calling, as the server established it. */
export type Caller =
  | { kind: 'anonymous' }
  | {
      kind: 'api-key';
      /** Which configured caller API key matched, as `key-1`, `key-2`...: never the key. */
      keyId: string;
    }
  | {
      kind: 'jwt';
      /** The verified identity claim: the LiveKit identity of every token for this caller. */
      identity: string;
      /** The login's `name` claim, when it is a string. */
      name: string | undefined;
      /** The login's `email` claim, when it is a string. */
      email: string | undefined;
      /** Roles the login grants, from the claim named by AUTH_ROLES_CLAIM. */
      roles: readonly string[];
    };

/** The caller of a request that carries no credentials, or of a server with AUTH_MODE=none. */
export const ANONYMOUS: Caller = { kind: 'anonymous' };

/**
 * How a caller is named in logs and budget keys: the key's number or the login identity,
 * never a secret. Anonymous callers are named by their client IP elsewhere.
 */
export function callerLabel(caller: Caller): string {
  switch (caller.kind) {
    case 'anonymous':
      return 'anonymous';
    case 'api-key':
      return `api-key:${caller.keyId}`;
    case 'jwt':
      return `jwt:${caller.identity}`;
  }
}

/** The caller that authentication put into `res.locals.caller`, or anonymous. */
export function callerOf(locals: { caller?: Caller }): Caller {
  return locals.caller ?? ANONYMOUS;
}
