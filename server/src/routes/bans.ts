// POST /bans, GET /bans, DELETE /bans/{id}: bans that hold, in one room or every room.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from '../errors';
import { requireModerator } from '../moderation/moderator';
import { sendJson } from '../respond';
import { banBodySchema } from '../schemas/ban-body';
import { validateBody } from '../schemas/request-body';
import {
  BAN_CURSOR_PATTERN,
  banCursorText,
  DEFAULT_BANS_PAGE,
  MAX_BANS_PAGE,
  parseBanCursor,
} from './ban-page';
import { BAN_ID_PATTERN, banView } from './ban-view';
import { createBanOperation, listBansOperation, removeBanOperation } from './bans.openapi';
import { moderationBodyLimitBytes } from './body-limits';
import { queryIdentifier, queryMatching, queryWholeNumber } from './query';
import type { AppParts, Route } from './route';

/** `POST /bans`: bans an identity, and removes it from LiveKit now. */
function createBanHandler({ config, moderation }: AppParts): RequestHandler {
  return async (req, res) => {
    const body = validateBody(banBodySchema, req.body);
    const moderator = requireModerator(res.locals, config, body.room ?? null);
    const ban = await moderation.ban(
      {
        id: randomUUID(),
        identity: body.identity,
        room: body.room ?? null,
        reason: body.reason ?? null,
        durationMs: body.duration_seconds === undefined ? null : body.duration_seconds * 1000,
        createdBy: moderator.label,
      },
      res.locals.requestId ?? null,
    );
    sendJson(res, 201, banView(ban));
  };
}

/** `GET /bans`: the bans in force, by room and identity, oldest first, a page at a time. */
function listBansHandler({ config, moderation }: AppParts): RequestHandler {
  return async (req, res) => {
    const after = queryMatching(req, 'after', BAN_CURSOR_PATTERN);
    const query = {
      room: queryIdentifier(req, 'room'),
      identity: queryIdentifier(req, 'identity'),
      limit: queryWholeNumber(req, 'limit', { min: 1, max: MAX_BANS_PAGE }) ?? DEFAULT_BANS_PAGE,
      ...(after === undefined ? {} : { after: parseBanCursor(after) }),
    };
    requireModerator(res.locals, config, query.room);
    const page = await moderation.withStore((store) => store.listBans(query, Date.now()));
    sendJson(res, 200, {
      bans: page.bans.map(banView),
      ...(page.next === undefined ? {} : { next: banCursorText(page.next) }),
    });
  };
}

/** `DELETE /bans/{id}`: lifts a ban. */
function removeBanHandler({ config, moderation }: AppParts): RequestHandler {
  return async (req, res) => {
    const id = String(req.params.id);
    const notFound = () =>
      new HttpError('BAN_NOT_FOUND', 'There is no ban with this id: lifted already, or mistyped.');
    if (!BAN_ID_PATTERN.test(id)) throw notFound();
    const ban = await moderation.withStore((store) => store.banById(id));
    if (ban === undefined) throw notFound();
    // Checked before lifting: a host token may lift the bans of its own room only.
    const moderator = requireModerator(res.locals, config, ban.room);
    const removed = await moderation.withStore((store) => store.removeBan(id));
    if (removed === undefined) throw notFound();
    await moderation.record({
      event: 'ban_removed',
      room: removed.room,
      identity: removed.identity,
      actor: moderator.label,
      requestId: res.locals.requestId ?? null,
      details: { ban_id: removed.id },
    });
    res.status(204).end();
  };
}

const MODERATOR = { kind: 'moderator', budget: 'moderation' } as const;

/** The route table's entries for the bans. */
export const banRoutes: readonly Route[] = [
  {
    method: 'post',
    path: '/bans',
    access: { ...MODERATOR, bodyLimitBytes: moderationBodyLimitBytes },
    handler: createBanHandler,
    operation: createBanOperation,
  },
  {
    method: 'get',
    path: '/bans',
    access: MODERATOR,
    handler: listBansHandler,
    operation: listBansOperation,
  },
  {
    method: 'delete',
    path: '/bans/:id',
    access: MODERATOR,
    handler: removeBanHandler,
    operation: removeBanOperation,
  },
];
