// request-token's way in with an invite: POST /token with the code as X-Invite-Code, and, for
// an invite to a room with a waiting room, GET /lobby/{id} polled with the place's poll token
// until a moderator decides or the wait ends. Each poll is a long poll: the server holds it
// until the status changes or the seconds asked for pass. It knows nothing of the command line.
import { issuedTokenOf, sendTokenRequest, type TokenRequestOptions } from './client';
import { LobbyClosedError, TokenServerError } from './client-errors';
import {
  isJwtShaped,
  isLobbyPoll,
  isLobbyTicketAnswer,
  type ConnectionDetails,
  type IssuedToken,
  type LobbyTicket,
} from './responses';
import { DEFAULT_TIMEOUT_MS, sendJson, type Fetch, type JsonAnswer } from './server-request';

/** How long each poll asks the server to hold it, in seconds (the server takes 0 to 25). */
export const LOBBY_POLL_WAIT_SECONDS = 20;

/**
 * The most polls of one wait. At 20 s each, 500 polls last close to 3 hours, far past the
 * server's LOBBY_WAIT_SECONDS (600 by default), after which it answers `expired`: only a
 * server that answers at once, without holding the poll, gets here, and is not asked for ever.
 */
export const MAX_LOBBY_POLLS = 500;

/**
 * Redeems the invite that `options.credentials` carries (`POST /token` with `X-Invite-Code`):
 * the token, at once or, for an invite to a waiting room, once a moderator admits the guest.
 * `onWaiting` hears of the place in the waiting room before the first poll. Throws as
 * requestToken does, and LobbyClosedError when the guest is denied or the wait runs out.
 */
export async function redeemInvite(
  options: TokenRequestOptions,
  fetch: Fetch,
  onWaiting: (ticket: LobbyTicket) => void,
): Promise<IssuedToken> {
  const answer = await sendTokenRequest(options, fetch);
  if (answer.status !== 202) return issuedTokenOf(answer, options.serverUrl);
  if (!isLobbyTicketAnswer(answer.body)) {
    // The poll token is not shown: it is a secret, and what is not one may be anything.
    throw unexpected(answer, `${answer.status} without a place in its waiting room`);
  }
  onWaiting(answer.body.lobby);
  return waitInLobby(answer.body.lobby, options, fetch);
}

/**
 * Polls `GET /lobby/{id}?wait=20` with the ticket's poll token until the status is no longer
 * `waiting`: the token of the connection details once admitted, else LobbyClosedError.
 */
export async function waitInLobby(
  ticket: LobbyTicket,
  options: Pick<TokenRequestOptions, 'serverUrl' | 'timeoutMs'>,
  fetch: Fetch,
): Promise<IssuedToken> {
  const path = `/lobby/${encodeURIComponent(ticket.id)}?wait=${LOBBY_POLL_WAIT_SECONDS}`;
  const request = {
    serverUrl: options.serverUrl,
    credentials: { kind: 'poll-token', pollToken: ticket.poll_token } as const,
    // The server holds each poll for up to the wait asked: the timeout runs on from there.
    timeoutMs: (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) + LOBBY_POLL_WAIT_SECONDS * 1000,
  };
  let answer: JsonAnswer | undefined;
  for (let poll = 1; poll <= MAX_LOBBY_POLLS; poll += 1) {
    answer = await sendJson({ method: 'GET', path }, request, fetch);
    const { body } = answer;
    if (!isLobbyPoll(body) || body.lobby.id !== ticket.id) {
      throw unexpected(answer, `${answer.status} without this place in its waiting room`);
    }
    const { lobby, connection_details: details } = body;
    if (lobby.status === 'waiting') continue;
    if (lobby.status === 'admitted') {
      if (details !== undefined) return issuedFromDetails(details, answer);
      if (lobby.collected !== true) {
        throw unexpected(answer, `${answer.status} "admitted" without connection details`);
      }
    }
    const ending = lobby.status === 'admitted' ? 'collected' : lobby.status;
    throw new LobbyClosedError(options.serverUrl, ticket.id, ending, lobby.expires_at);
  }
  throw new TokenServerError(
    200,
    'UNEXPECTED_RESPONSE',
    `The server at ${options.serverUrl} answered "waiting" ${MAX_LOBBY_POLLS} times without holding the polls for the ${LOBBY_POLL_WAIT_SECONDS} s asked; request-token stopped asking.`,
    answer?.context,
  );
}

/** The connection details' token as a token answer, the poll's answer kept for --json. */
function issuedFromDetails(details: ConnectionDetails, answer: JsonAnswer): IssuedToken {
  if (!isJwtShaped(details.participant_token)) {
    // Not shown, as requestToken does not show a token that is not a JWT.
    throw unexpected(
      answer,
      `${answer.status} with a participant_token that is not a JWT (three base64url parts joined by dots), not shown`,
    );
  }
  return {
    response: {
      token: details.participant_token,
      room_name: details.room_name,
      identity: details.participant_identity,
      role: details.role,
      expires_at: details.expires_at,
      server_url: details.server_url,
    },
    responseText: answer.text,
    answer: answer.body,
  };
}

/** An UNEXPECTED_RESPONSE: the server answered `what`, which a token server would not. */
function unexpected(answer: JsonAnswer, what: string): TokenServerError {
  const serverUrl = answer.context.serverUrl ?? 'the token server';
  return new TokenServerError(
    answer.status,
    'UNEXPECTED_RESPONSE',
    `The server at ${serverUrl} answered ${what}; is it a token server with invites?`,
    answer.context,
  );
}
