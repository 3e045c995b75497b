// The lobby of invites with a waiting room: GET /lobby/{id}, where the guest long-polls with
// its poll token, and GET /rooms/{room}/lobby with POST .../admit and .../deny, where the
// room's moderators decide. The guest's poll and the host's decision may reach different
// instances: both go through the store.
import type { RequestHandler } from 'express';
import { bearerToken } from '../auth/credentials';
import type { Config } from '../config';
import { HttpError } from '../errors';
import { requireModerator } from '../moderation/moderator';
import { addressBudgetKey } from '../rate-limit';
import { sendJson } from '../respond';
import { connectionDetailsView } from './connection-details-view';
import { decidedEntryView, lobbyEntryView } from './invite-view';
import {
  admitOperation,
  denyOperation,
  listLobbyOperation,
  pollLobbyOperation,
} from './lobby.openapi';
import { pathIdentifier, queryWholeNumber } from './query';
import type { AppParts, Route } from './route';

/** The longest a poll may wait for a decision, in seconds: under common proxies' 30 s. */
export const MAX_POLL_WAIT_SECONDS = 25;

/** Lobby ids are UUIDs: anything else is no entry of ours. */
const LOBBY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function serverUrlOf(config: Config): string {
  if (config.livekitUrl === undefined) {
    throw new HttpError(
      'LIVEKIT_URL_NOT_SET',
      'This token server has no LIVEKIT_URL, so it cannot tell clients where to connect; its operator must set LIVEKIT_URL.',
    );
  }
  return config.livekitUrl;
}

/** `GET /lobby/{id}`: the guest's wait, long-polled; the connection details once admitted. */
function pollLobbyHandler({ config, invites }: AppParts): RequestHandler {
  return async (req, res) => {
    const wait = queryWholeNumber(req, 'wait', { min: 0, max: MAX_POLL_WAIT_SECONDS }) ?? 0;
    const id = String(req.params.id);
    const address = addressBudgetKey(req, res);
    const pollToken = bearerToken(req.get('authorization'));
    // Any id is looked up, on one path: one that is no UUID is simply found by no entry.
    const found = await invites.entryForPoll(id, pollToken, address);
    const stop = new AbortController();
    res.once('close', () => stop.abort());
    const entry = await invites.waitForDecision(found, wait * 1000, stop.signal);
    const lobby = {
      id: entry.id,
      status: invites.isExpired(entry) ? 'expired' : entry.status,
      expires_at: new Date(entry.expiresAtMs).toISOString(),
    };
    if (entry.status !== 'admitted') {
      sendJson(res, 200, { lobby });
      return;
    }
    const serverUrl = serverUrlOf(config);
    const issued = await invites.collect(entry, res.locals.requestId ?? null);
    if (issued === undefined) {
      sendJson(res, 200, { lobby: { ...lobby, collected: true } });
      return;
    }
    res.locals.audit = issued.auditFields;
    sendJson(res, 200, {
      lobby,
      connection_details: connectionDetailsView(
        serverUrl,
        issued,
        entry.identity,
        entry.name ?? undefined,
      ),
    });
  };
}

/** `GET /rooms/{room}/lobby`: who waits, oldest first. */
function listLobbyHandler({ config, invites }: AppParts): RequestHandler {
  return async (req, res) => {
    const room = pathIdentifier(req, 'room');
    requireModerator(res.locals, config, room);
    const waiting = await invites.waiting(room);
    sendJson(res, 200, { waiting: waiting.map(lobbyEntryView) });
  };
}

/** `POST /rooms/{room}/lobby/{id}/admit` or `/deny`. */
function decideHandler(decision: 'admitted' | 'denied') {
  return ({ config, invites }: AppParts): RequestHandler =>
    async (req, res) => {
      const room = pathIdentifier(req, 'room');
      const moderator = requireModerator(res.locals, config, room);
      const id = String(req.params.id);
      if (!LOBBY_ID.test(id)) {
        throw new HttpError('LOBBY_ENTRY_NOT_FOUND', 'There is no lobby entry with this id.');
      }
      const decided = await invites.decide(
        room,
        id,
        decision,
        moderator.label,
        res.locals.requestId ?? null,
      );
      sendJson(res, 200, decidedEntryView(decided));
    };
}

const MODERATOR = { kind: 'moderator', budget: 'moderation' } as const;

/** The route table's entries for the lobby. */
export const lobbyRoutes: readonly Route[] = [
  {
    method: 'get',
    path: '/lobby/:id',
    // The poll token is the credential, checked by the handler; wrong ones spend the
    // failure budget of invites, so no caller budget stands in front.
    access: { kind: 'public' },
    handler: pollLobbyHandler,
    operation: pollLobbyOperation,
  },
  {
    method: 'get',
    path: '/rooms/:room/lobby',
    access: MODERATOR,
    handler: listLobbyHandler,
    operation: listLobbyOperation,
  },
  {
    method: 'post',
    path: '/rooms/:room/lobby/:id/admit',
    access: MODERATOR,
    handler: decideHandler('admitted'),
    operation: admitOperation,
  },
  {
    method: 'post',
    path: '/rooms/:room/lobby/:id/deny',
    access: MODERATOR,
    handler: decideHandler('denied'),
    operation: denyOperation,
  },
];
