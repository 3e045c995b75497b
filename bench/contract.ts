// The requests every target is driven with, /token and /connection-details (with and
// without an invite), the checks that a target honours each contract before the bench
// measures it, and the invites the bench makes for guests to redeem.
import type { Request as AutocannonRequest } from 'autocannon';
import { AccessToken, TokenVerifier } from 'livekit-server-sdk';

/** The API key and secret every target signs with (32+ characters, as LiveKit requires). */
export const BENCH_KEY = {
  apiKey: 'APIbench',
  apiSecret: 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz',
};

/** The LIVEKIT_URL every target has, which /connection-details answers as server_url. */
export const BENCH_LIVEKIT_URL = 'wss://livekit.example.test';

/** Our server's default token lifetime (TOKEN_EXPIRY_HOURS=24), in seconds. */
export const TOKEN_TTL_SECONDS = 24 * 3600;

/** The body of every POST /token the bench sends. */
export const TOKEN_REQUEST_BODY = {
  user_email: 'bench@example.com',
  full_name: 'Bench User',
  room_name: 'bench-room',
};

/** The agent every POST /connection-details asks to dispatch. */
export const BENCH_AGENT_NAME = 'bench-agent';

/**
 * The body of every POST /connection-details the bench sends: what LiveKit's client SDKs'
 * TokenSource sends, with one agent to dispatch.
 */
export const CONNECTION_DETAILS_REQUEST_BODY = {
  room_name: 'bench-room',
  participant_name: 'Bench User',
  participant_identity: 'bench-user',
  room_config: { agents: [{ agent_name: BENCH_AGENT_NAME }] },
};

/** Headers of every request the bench sends: JSON, from an origin our server allows by default. */
export const REQUEST_HEADERS = {
  'content-type': 'application/json',
  origin: 'http://localhost:3000',
};

/** What a target must do with a token request, beyond answering 200. */
export type ContractCheck = 'signed-token' | 'constant';

/** A JSON answer, with its Access-Control-Allow-Origin header (or null). */
interface JsonAnswer {
  body: Record<string, unknown>;
  text: string;
  allowedOrigin: string | null;
}

/**
 * POSTs `body` to `path`, with `headers` beside REQUEST_HEADERS, and throws unless the answer
 * has `expectedStatus` and is JSON.
 */
async function postJson(
  baseUrl: string,
  path: string,
  body: object,
  expectedStatus: number,
  headers: Record<string, string> = {},
): Promise<JsonAnswer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { ...REQUEST_HEADERS, ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expectedStatus) throw new Error(`answered ${response.status}: ${text}`);
  return {
    body: JSON.parse(text) as Record<string, unknown>,
    text,
    allowedOrigin: response.headers.get('access-control-allow-origin'),
  };
}

/**
 * Sends one POST /token and throws unless the answer has the contract's shape; with
 * `signed-token`, the token must also pass LiveKit's TokenVerifier with the right grant.
 * Returns the answer's Access-Control-Allow-Origin header, or null.
 */
export async function checkTokenContract(
  baseUrl: string,
  check: ContractCheck,
): Promise<string | null> {
  const { body, text, allowedOrigin } = await postJson(baseUrl, '/token', TOKEN_REQUEST_BODY, 200);
  for (const field of ['token', 'room_name', 'identity', 'expires_at']) {
    if (typeof body[field] !== 'string' && typeof body[field] !== 'number') {
      throw new Error(`answer lacks "${field}": ${text}`);
    }
  }
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

/**
 * Sends one POST /connection-details and throws unless it answers 201 with `server_url` and
 * a `participant_token` that passes LiveKit's TokenVerifier, for the identity, name and room
 * asked for, dispatching the agent asked for. Returns the Access-Control-Allow-Origin header.
 */
export async function checkConnectionDetailsContract(baseUrl: string): Promise<string | null> {
  const request = CONNECTION_DETAILS_REQUEST_BODY;
  const { body, text, allowedOrigin } = await postJson(
    baseUrl,
    '/connection-details',
    request,
    201,
  );
  if (body.server_url !== BENCH_LIVEKIT_URL) {
    throw new Error(
      `answered server_url ${JSON.stringify(body.server_url)}, not ${BENCH_LIVEKIT_URL}`,
    );
  }
  if (typeof body.participant_token !== 'string') {
    throw new Error(`answer lacks "participant_token": ${text}`);
  }
  const verifier = new TokenVerifier(BENCH_KEY.apiKey, BENCH_KEY.apiSecret);
  const claims = await verifier.verify(body.participant_token);
  const video = claims.video;
  if (
    claims.sub !== request.participant_identity ||
    claims.name !== request.participant_name ||
    video?.room !== request.room_name ||
    video.roomJoin !== true ||
    claims.roomConfig?.agents?.[0]?.agentName !== BENCH_AGENT_NAME
  ) {
    throw new Error(`token claims do not match the request: ${JSON.stringify(claims)}`);
  }
  return allowedOrigin;
}

/** The header a guest sends its invite code in (docs/invites.md). */
export const INVITE_CODE_HEADER = 'x-invite-code';

/**
 * A header as long as X-Invite-Code that the server ignores: requests without an invite carry
 * the codes in it, so that both kinds send the same bytes and cost autocannon the same work
 * (it rebuilds every request that has a setupRequest). A ratio of the two is the server's.
 */
const IGNORED_CODE_HEADER = 'x-unused-code';

/**
 * autocannon's `requests` giving each request the next of `codes` in turn: as X-Invite-Code
 * when `redeem`, else in a header the server ignores.
 */
export function requestsWithCodes(redeem: boolean, codes: readonly string[]): AutocannonRequest[] {
  const header = redeem ? INVITE_CODE_HEADER : IGNORED_CODE_HEADER;
  let next = 0;
  return [
    {
      setupRequest: (request) => {
        request.headers = { ...request.headers, [header]: codes[next % codes.length] ?? '' };
        next += 1;
        return request;
      },
    },
  ];
}

/** The most uses one invite allows (POST /invites' max_uses). */
export const INVITE_MAX_USES = 10_000;

/**
 * A LiveKit host token for the bench's room, signed with the bench's key: a moderator of that
 * room in every AUTH_MODE (docs/invites.md), so that the invites are made on a server started
 * as the others are, AUTH_MODE none included.
 */
async function benchHostToken(): Promise<string> {
  const token = new AccessToken(BENCH_KEY.apiKey, BENCH_KEY.apiSecret, {
    identity: 'bench-host',
    ttl: 3600,
  });
  token.addGrant({
    room: CONNECTION_DETAILS_REQUEST_BODY.room_name,
    roomJoin: true,
    roomAdmin: true,
  });
  return token.toJwt();
}

/**
 * Makes `count` invites to the bench's room, of INVITE_MAX_USES uses each, as the room's
 * host, and returns their codes; throws unless each answers 201 with a code.
 */
export async function createInvites(baseUrl: string, count: number): Promise<string[]> {
  const authorization = `Bearer ${await benchHostToken()}`;
  const codes: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const { body, text } = await postJson(
      baseUrl,
      '/invites',
      { room: CONNECTION_DETAILS_REQUEST_BODY.room_name, max_uses: INVITE_MAX_USES },
      201,
      { authorization },
    );
    if (typeof body.code !== 'string') throw new Error(`POST /invites answered no code: ${text}`);
    codes.push(body.code);
  }
  return codes;
}

/**
 * Sends one POST /connection-details as a guest redeeming `code`, with the bench's usual body,
 * and throws unless it answers 201 with `server_url` and a `participant_token` that passes
 * LiveKit's TokenVerifier for the invite's room, with a guest identity (the invite names
 * none, so the body's participant_identity is ignored), the name and the agent asked for.
 */
export async function checkInviteRedemptionContract(baseUrl: string, code: string): Promise<void> {
  const request = CONNECTION_DETAILS_REQUEST_BODY;
  const { body, text } = await postJson(baseUrl, '/connection-details', request, 201, {
    [INVITE_CODE_HEADER]: code,
  });
  if (body.server_url !== BENCH_LIVEKIT_URL) {
    throw new Error(`answered server_url ${JSON.stringify(body.server_url)}`);
  }
  if (typeof body.participant_token !== 'string') {
    throw new Error(`answer lacks "participant_token": ${text}`);
  }
  const verifier = new TokenVerifier(BENCH_KEY.apiKey, BENCH_KEY.apiSecret);
  const claims = await verifier.verify(body.participant_token);
  const video = claims.video;
  if (
    claims.sub?.startsWith('guest-') !== true ||
    claims.name !== request.participant_name ||
    video?.room !== request.room_name ||
    video.roomJoin !== true ||
    claims.roomConfig?.agents?.[0]?.agentName !== BENCH_AGENT_NAME
  ) {
    throw new Error(`guest token claims do not match the invite: ${JSON.stringify(claims)}`);
  }
}
