// request-token's requests: POST /token and POST /validate, sent by server-request.ts (the
// credentials, the timeout, the refusals), and the checks that each answer is what it asked
// for. It knows nothing of the command line.
import type { CallerCredentials } from './caller-credentials';
import { InvalidTokenError, TokenServerError } from './client-errors';
import {
  isJwtShaped,
  isRecord,
  isTokenResponse,
  isValidationResponse,
  type IssuedToken,
  type TokenValidation,
} from './responses';
import { sendJson, type Fetch, type JsonAnswer } from './server-request';

export { DEFAULT_TIMEOUT_MS, type Fetch } from './server-request';

/** An agent to dispatch to the room when the participant joins (LiveKit's RoomAgentDispatch). */
export interface AgentDispatch {
  /** The agent's name, as the agent worker registered it; sent as `agent_name`. */
  agentName: string;
  /** Handed to the agent with the job; sent as `metadata` when given. */
  metadata?: string;
}

/** Who asks for a token, and where. */
export interface TokenRequestOptions {
  /** Base URL of the token server, e.g. `http://localhost:8002`; `/token` is appended. */
  serverUrl: string;
  /** Sent as `user_email` when given: the identity, unless userId or a login gives one. */
  email?: string;
  /** Sent as `full_name` when given: the participant's display name. */
  fullName?: string;
  /** Sent as `user_id` when given; the server derives an identity otherwise. */
  userId?: string;
  /** Sent as `room_name` when given; otherwise the server makes a new room, room-<random>. */
  roomName?: string;
  /** Sent as `role` when given: which of the server's roles' grants the token carries. */
  role?: string;
  /** Sent as `metadata` when given: the token's participant metadata, as is. */
  metadata?: string;
  /** Sent as `attributes` when given: the token's participant attributes. */
  attributes?: Readonly<Record<string, string>>;
  /** Sent as `room_config: {agents: [...]}` when given. */
  agent?: AgentDispatch;
  /** Sent as `ttl_seconds` when given: a lifetime shorter than the server's default, in seconds. */
  ttlSeconds?: number;
  /** Sent in a header when given; a server with AUTH_MODE=none needs none. */
  credentials?: CallerCredentials;
  /** Gives up after this many milliseconds. Defaults to DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** Which token to check, with which server, as whom. */
export interface TokenValidationOptions {
  /** Base URL of the token server; `/validate` is appended. */
  serverUrl: string;
  /** The token to check, sent as `{"token": ...}` in the body. */
  token: string;
  /** The caller's own credentials, sent in a header as for `POST /token`. */
  credentials?: CallerCredentials;
  /** Gives up after this many milliseconds. Defaults to DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
}

/**
 * Asks the token server at `options.serverUrl` for an access token (`POST /token`).
 * Throws UnreachableServerError when no answer arrives in time, and TokenServerError when
 * the answer is an error or not a token.
 */
export async function requestToken(
  options: TokenRequestOptions,
  fetch: Fetch,
): Promise<IssuedToken> {
  return issuedTokenOf(await sendTokenRequest(options, fetch), options.serverUrl);
}

/**
 * Sends `POST /token` for `options` and answers what came back, not yet checked: a token, or,
 * for an invite to a waiting room, a place in it (see invite-client.ts).
 */
export function sendTokenRequest(options: TokenRequestOptions, fetch: Fetch): Promise<JsonAnswer> {
  const body = {
    ...(options.email === undefined ? {} : { user_email: options.email }),
    ...(options.fullName === undefined ? {} : { full_name: options.fullName }),
    ...(options.userId === undefined ? {} : { user_id: options.userId }),
    ...(options.roomName === undefined ? {} : { room_name: options.roomName }),
    ...(options.role === undefined ? {} : { role: options.role }),
    ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
    ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
    ...(options.agent === undefined ? {} : { room_config: { agents: [agentBody(options.agent)] } }),
    ...(options.ttlSeconds === undefined ? {} : { ttl_seconds: options.ttlSeconds }),
  };
  return sendJson({ method: 'POST', path: '/token', body }, options, fetch);
}

/** The token that `answer` holds, checked; a TokenServerError when it holds none. */
export function issuedTokenOf(answer: JsonAnswer, serverUrl: string): IssuedToken {
  if (!isTokenResponse(answer.body)) {
    throw new TokenServerError(
      answer.status,
      'UNEXPECTED_RESPONSE',
      `The server at ${serverUrl} answered ${answer.status} without a token; is it the token server?`,
      answer.context,
    );
  }
  if (!isJwtShaped(answer.body.token)) {
    // Not shown: what is not a token may be anything, a terminal escape or a line for .env.
    throw new TokenServerError(
      answer.status,
      'UNEXPECTED_RESPONSE',
      `The server at ${serverUrl} answered ${answer.status} with a token that is not a JWT (three base64url parts joined by dots), not shown; is it the token server?`,
      answer.context,
    );
  }
  return { response: answer.body, responseText: answer.text };
}

/**
 * Asks the token server to check a token (`POST /validate`) and decode what it grants.
 * Throws InvalidTokenError when the server answers `valid: false`, and otherwise fails as
 * requestToken does.
 */
export async function validateToken(
  options: TokenValidationOptions,
  fetch: Fetch,
): Promise<TokenValidation> {
  const answer = await sendJson(
    {
      method: 'POST',
      path: '/validate',
      body: { token: options.token },
      // The server answers a refused token with 401 and `valid: false`; a refused caller gets a
      // 401 without `valid`.
      isAnswer: (body) => isRecord(body) && body.valid === false,
    },
    options,
    fetch,
  );
  const { body } = answer;
  if (isRecord(body) && body.valid === false) {
    const error = isRecord(body.error) ? body.error : {};
    throw new InvalidTokenError(
      typeof error.code === 'string' ? error.code : 'UNKNOWN',
      typeof error.message === 'string' ? error.message : 'The server gave no reason.',
    );
  }
  if (!isValidationResponse(body)) {
    throw new TokenServerError(
      answer.status,
      'UNEXPECTED_RESPONSE',
      `The server at ${options.serverUrl} answered ${answer.status} to /validate without a validation; is it the token server?`,
      answer.context,
    );
  }
  return { response: body };
}

function agentBody(agent: AgentDispatch): { agent_name: string; metadata?: string } {
  return {
    agent_name: agent.agentName,
    ...(agent.metadata === undefined ? {} : { metadata: agent.metadata }),
  };
}
