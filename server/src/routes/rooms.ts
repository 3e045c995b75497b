// GET and PUT /rooms/{room} (a room's cap and who is in it) and GET /rooms/{room}/audit.
import type { RequestHandler } from 'express';
import type { Config } from '../config';
import type { Moderation } from '../moderation/moderation';
import { requireModerator } from '../moderation/moderator';
import type { StoredAuditEntry } from '../moderation/store';
import { sendJson } from '../respond';
import { validateBody } from '../schemas/request-body';
import { roomLimitBodySchema } from '../schemas/room-limit-body';
import { moderationBodyLimitBytes } from './body-limits';
import {
  pathIdentifier,
  queryIdentifier,
  queryMatching,
  queryTime,
  queryWholeNumber,
} from './query';
import type { AppParts, Route } from './route';
import { roomAuditOperation, roomOperation, setRoomLimitOperation } from './rooms.openapi';

/** Audit pages: 100 entries unless asked, 1000 at most. */
export const DEFAULT_AUDIT_PAGE = 100;
export const MAX_AUDIT_PAGE = 1000;

/** A room as GET and PUT /rooms/{room} answer it. */
async function roomView(
  config: Config,
  moderation: Moderation,
  room: string,
): Promise<Record<string, unknown>> {
  const nowMs = Date.now();
  const [limit, occupancy] = await moderation.withStore((store) =>
    Promise.all([store.roomLimit(room), store.occupancy(room, nowMs)]),
  );
  return {
    room,
    max_participants: limit ?? config.roomMaxParticipants ?? null,
    max_participants_from:
      limit !== undefined
        ? 'room'
        : config.roomMaxParticipants !== undefined
          ? 'ROOM_MAX_PARTICIPANTS'
          : 'none',
    participants: occupancy.participants,
    seats_held: occupancy.held,
    seats_used: occupancy.participants.length + occupancy.held.length,
    last_heard_at:
      occupancy.lastHeardMs === null ? null : new Date(occupancy.lastHeardMs).toISOString(),
  };
}

/** `GET /rooms/{room}`. */
function roomHandler({ config, moderation }: AppParts): RequestHandler {
  return async (req, res) => {
    const room = pathIdentifier(req, 'room');
    requireModerator(res.locals, config, room);
    sendJson(res, 200, await roomView(config, moderation, room));
  };
}

/** `PUT /rooms/{room}`: sets or clears the room's cap. */
function setRoomLimitHandler({ config, moderation }: AppParts): RequestHandler {
  return async (req, res) => {
    const room = pathIdentifier(req, 'room');
    const body = validateBody(roomLimitBodySchema, req.body);
    const moderator = requireModerator(res.locals, config, room);
    await moderation.withStore((store) => store.setRoomLimit(room, body.max_participants));
    await moderation.record({
      event: 'room_limit_set',
      room,
      identity: null,
      actor: moderator.label,
      requestId: res.locals.requestId ?? null,
      details: { max_participants: body.max_participants },
    });
    sendJson(res, 200, await roomView(config, moderation, room));
  };
}

/** An audit entry as the audit route answers it. */
function auditView(entry: StoredAuditEntry): Record<string, unknown> {
  return {
    id: entry.id,
    at: new Date(entry.atMs).toISOString(),
    event: entry.event,
    room: entry.room,
    identity: entry.identity,
    actor: entry.actor,
    request_id: entry.requestId,
    details: entry.details,
  };
}

/** `GET /rooms/{room}/audit`: the room's audit trail, oldest first, a page at a time. */
function roomAuditHandler({ config, moderation }: AppParts): RequestHandler {
  return async (req, res) => {
    const room = pathIdentifier(req, 'room');
    const query = {
      room,
      sinceMs: queryTime(req, 'since'),
      untilMs: queryTime(req, 'until'),
      identity: queryIdentifier(req, 'identity'),
      limit: queryWholeNumber(req, 'limit', { min: 1, max: MAX_AUDIT_PAGE }) ?? DEFAULT_AUDIT_PAGE,
      after: queryMatching(req, 'after', /^[A-Za-z0-9:._-]{1,128}$/),
    };
    requireModerator(res.locals, config, room);
    const page = await moderation.withStore((store) => store.listAudit(query));
    sendJson(res, 200, {
      entries: page.entries.map(auditView),
      ...(page.next === undefined ? {} : { next: page.next }),
    });
  };
}

const MODERATOR = { kind: 'moderator', budget: 'moderation' } as const;

/** The route table's entries for rooms. */
export const roomRoutes: readonly Route[] = [
  {
    method: 'get',
    path: '/rooms/:room',
    access: MODERATOR,
    handler: roomHandler,
    operation: roomOperation,
  },
  {
    method: 'put',
    path: '/rooms/:room',
    access: { ...MODERATOR, bodyLimitBytes: moderationBodyLimitBytes },
    handler: setRoomLimitHandler,
    operation: setRoomLimitOperation,
  },
  {
    method: 'get',
    path: '/rooms/:room/audit',
    access: MODERATOR,
    handler: roomAuditHandler,
    operation: roomAuditOperation,
  },
];
