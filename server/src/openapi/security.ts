// How callers authenticate, as OpenAPI security schemes: one set per AUTH_MODE, and the
// requirement the guarded routes state (any one of the mode's schemes).
import type { AuthConfig } from '../config';
import type { SecurityRequirement, SecurityScheme } from './types';

/** The name of the scheme of moderators who hold a LiveKit host token. */
export const LIVEKIT_HOST_TOKEN_SCHEME = 'livekitHostToken';

/** A LiveKit token with roomAdmin for a room, signed by our keys: moderates that room only. */
export const LIVEKIT_HOST_TOKEN: SecurityScheme = {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description:
    "A LiveKit access token signed by one of this server's LiveKit keys, unexpired, whose video grant has roomAdmin (the host role): it moderates the room it names, and only that room.",
};

/** The security schemes of an AUTH_MODE; none when callers go unchecked. */
export function securitySchemes(auth: AuthConfig): Record<string, SecurityScheme> | undefined {
  switch (auth.mode) {
    case 'none':
      return undefined;
    case 'api-key':
      return {
        apiKeyHeader: {
          type: 'apiKey',
          in: 'header',
          name: 'X-API-Key',
          description: 'One of the keys in TOKEN_SERVER_API_KEYS, for trusted backends.',
        },
        apiKeyBearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'The same API key as `Authorization: Bearer <key>`, for clients that only send bearer tokens.',
        },
      };
    case 'jwt':
      return {
        loginJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `The session JWT of a signed-in user: issued by ${auth.issuer} for the audience ${auth.audience}, signed with ${auth.jwksUrl === undefined ? 'the shared HS256 secret' : 'a key of the JWKS (RS256 or ES256)'}; its ${auth.identityClaim} claim becomes the LiveKit identity.`,
        },
      };
  }
}

/** What a guarded route requires: any one scheme of the mode; nothing when unchecked. */
export function securityRequirements(auth: AuthConfig): SecurityRequirement[] | undefined {
  const schemes = securitySchemes(auth);
  return schemes === undefined ? undefined : Object.keys(schemes).map((name) => ({ [name]: [] }));
}
