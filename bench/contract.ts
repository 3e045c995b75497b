// The /token contract every target is driven with, and the check that a target honours
// it before the bench measures it.
import { TokenVerifier } from 'livekit-server-sdk';

/** The API key and secret every target signs with (32+ characters, as LiveKit requires). */
export const BENCH_KEY = {
  apiKey: 'APIbench',
  apiSecret: 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz',
};

/** Our server's default token lifetime (TOKEN_EXPIRY_HOURS=24), in seconds. */
export const TOKEN_TTL_SECONDS = 24 * 3600;

/** The body of every POST /token the bench sends. */
export const TOKEN_REQUEST_BODY = {
  user_email: 'bench@example.com',
  full_name: 'Bench User',
  room_name: 'bench-room',
};

/** Headers of every POST /token: JSON, from an origin our server allows by default. */
export const TOKEN_REQUEST_HEADERS = {
  'content-type': 'application/json',
  origin: 'http://localhost:3000',
};

/** What a target must do with a token request, beyond answering 200. */
export type ContractCheck = 'signed-token' | 'constant';

/**
 * Sends one POST /token and throws unless the answer has the contract's shape; with
 * `signed-token`, the token must also pass LiveKit's TokenVerifier with the right grant.
 * Returns the answer's Access-Control-Allow-Origin header, or null.
 */
export async function checkTokenContract(
  baseUrl: string,
  check: ContractCheck,
): Promise<string | null> {
  const response = await fetch(`${baseUrl}/token`, {
    method: 'POST',
    headers: TOKEN_REQUEST_HEADERS,
    body: JSON.stringify(TOKEN_REQUEST_BODY),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`answered ${response.status}: ${text}`);
  const body = JSON.parse(text) as Record<string, unknown>;
  for (const field of ['token', 'room_name', 'identity', 'expires_at']) {
    if (typeof body[field] !== 'string' && typeof body[field] !== 'number') {
      throw new Error(`answer lacks "${field}": ${text}`);
    }
  }
  const allowedOrigin = response.headers.get('access-control-allow-origin');
  if (check === 'constant') return allowedOrigin;

  if (body.room_name !== TOKEN_REQUEST_BODY.room_name) {
    throw new Error(`answered room_name ${JSON.stringify(body.room_name)}`);
  }
  const verifier = new TokenVerifier(BENCH_KEY.apiKey, BENCH_KEY.apiSecret);
  const claims = await verifier.verify(String(body.token));
  const video = claims.video;
  if (
    claims.sub !== body.identity ||
    claims.name !== TOKEN_REQUEST_BODY.full_name ||
    video?.room !== TOKEN_REQUEST_BODY.room_name ||
    video.roomJoin !== true ||
    video.canPublish !== true ||
    video.canSubscribe !== true
  ) {
    throw new Error(`token claims do not match the request: ${JSON.stringify(claims)}`);
  }
  return allowedOrigin;
}
