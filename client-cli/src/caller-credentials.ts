// What the CLI sends to prove who the caller is to the token server, and how it travels.
// Named "caller" credentials because "credentials" elsewhere in the project means the
// LiveKit API key and secret that the server signs with.

/**
 * How the caller proves who it is to the token server: an API key or a login (AUTH_MODE=api-key
 * or jwt), or, for a guest, an invite code and then the waiting room's poll token. Secrets: sent
 * in a header, never in the URL or the body, and never part of an error message.
 */
export type CallerCredentials =
  | {
      kind: 'api-key';
      /** One of the server's TOKEN_SERVER_API_KEYS, sent as `X-API-Key`. */
      apiKey: string;
    }
  | {
      kind: 'bearer';
      /** A session JWT from the caller's login, sent as `Authorization: Bearer`. */
      jwt: string;
    }
  | {
      kind: 'invite';
      /** An invite code, sent as `X-Invite-Code`: a guest's only credential, in every AUTH_MODE. */
      code: string;
    }
  | {
      kind: 'poll-token';
      /** Lets one guest poll its place in the waiting room; sent as `Authorization: Bearer`. */
      pollToken: string;
    };

/** Which kind of caller credentials a request carried; `none` when it carried none. */
export type CallerCredentialsKind = CallerCredentials['kind'] | 'none';

/** The request headers that carry `credentials`; none when there are none. */
export function credentialHeaders(
  credentials: CallerCredentials | undefined,
): Record<string, string> {
  switch (credentials?.kind) {
    case undefined:
      return {};
    case 'api-key':
      return { 'x-api-key': credentials.apiKey };
    case 'bearer':
      return { authorization: `Bearer ${credentials.jwt}` };
    case 'invite':
      return { 'x-invite-code': credentials.code };
    case 'poll-token':
      return { authorization: `Bearer ${credentials.pollToken}` };
  }
}
