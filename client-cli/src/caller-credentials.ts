// What the CLI sends to prove who the caller is to the token server, and how it travels.
// Named "caller" credentials because "credentials" elsewhere in the project means the
// LiveKit API key and secret that the server signs with.

/**
 * How the caller proves who it is to a token server with AUTH_MODE=api-key or jwt. Secrets:
 * sent in a header, never in the URL or the body, and never part of an error message.
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
    };

/** Which kind of caller credentials a request carried; `none` when it carried none. */
export type CallerCredentialsKind = CallerCredentials['kind'] | 'none';

/** The request headers that carry `credentials`; none when there are none. */
export function credentialHeaders(
  credentials: CallerCredentials | undefined,
): Record<string, string> {
  if (credentials === undefined) return {};
  if (credentials.kind === 'api-key') return { 'x-api-key': credentials.apiKey };
  return { authorization: `Bearer ${credentials.jwt}` };
}
