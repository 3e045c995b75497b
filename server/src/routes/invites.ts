// POST /invites, GET /invites, DELETE /invites/{id}: invite links for guests, made by the
// room's moderators (the rule of moderation/moderator.ts).
import type { RequestHandler } from 'express';
import { callerOf } from '../caller';
import type { Config } from '../config';
import { HttpError } from '../errors';
import { mayRequestRole } from '../issue-token';
import { requireModerator } from '../moderation/moderator';
import { sendJson } from '../respond';
import { DEFAULT_INVITE_SECONDS, inviteBodySchema } from '../schemas/invite-body';
import { validateBody } from '../schemas/request-body';
import { moderationBodyLimitBytes } from './body-limits';
import { inviteView } from './invite-view';
import {
  createInviteOperation,
  listInvitesOperation,
  revokeInviteOperation,
} from './invites.openapi';
import { queryIdentifier } from './query';
import type { AppParts, Route } from './route';

/** Invite ids are UUIDs: anything else is no invite of ours. */
const INVITE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const notFound = () =>
  new HttpError(
    'INVITE_NOT_FOUND',
    'There is no invite with this id: revoked already, or mistyped.',
  );

/**
 * Whether the moderator of a request may invite guests to `role`: a moderator invites only
 * to roles it may grant. An API-key caller may grant any; a login the public roles and its
 * own; a LiveKit host token any role without roomAdmin (it cannot make another host).
 */
function mayInviteTo(locals: Express.Locals, config: Config, role: string): boolean {
  if (locals.moderator !== undefined) return config.roles.get(role)?.roomAdmin !== true;
  const caller = callerOf(locals);
  return caller.kind === 'api-key' || mayRequestRole(caller, role, config.publicRoles);
}

/** `POST /invites`: a new invite, its code shown this once. */
function createInviteHandler({ config, invites }: AppParts): RequestHandler {
  const schema = inviteBodySchema(config);
  return async (req, res) => {
    const body = validateBody(schema, req.body);
    const moderator = requireModerator(res.locals, config, body.room);
    const role = body.role ?? config.defaultRole;
    if (!mayInviteTo(res.locals, config, role)) {
      throw new HttpError(
        'ROLE_NOT_ALLOWED',
        `You may not invite guests as ${role}: a moderator invites only to roles it may grant, and roles with roomAdmin need an API-key caller or a login holding that role.`,
      );
    }
    if (config.roomNamePattern?.test(body.room) === false) {
      throw new HttpError(
        'ROOM_NOT_ALLOWED',
        'room is not one this server hands out tokens for (see ROOM_NAME_PATTERN).',
      );
    }
    const { invite, code, url } = await invites.create(
      {
        room: body.room,
        role,
        maxUses: body.max_uses ?? 1,
        expiresInSeconds: body.expires_in_seconds ?? DEFAULT_INVITE_SECONDS,
        identity: body.identity ?? null,
        name: body.name ?? null,
        waitingRoom: body.waiting_room ?? false,
        createdBy: moderator.label,
      },
      res.locals.requestId ?? null,
    );
    sendJson(res, 201, { ...inviteView(invite), code, ...(url === undefined ? {} : { url }) });
  };
}

/** `GET /invites?room=`: a room's invites, without their codes. */
function listInvitesHandler({ config, moderation }: AppParts): RequestHandler {
  return async (req, res) => {
    const room = queryIdentifier(req, 'room');
    if (room === undefined) {
      throw new HttpError('VALIDATION_ERROR', 'Name the room whose invites to list: ?room=…', {
        details: [{ field: 'room', message: 'room is required' }],
      });
    }
    requireModerator(res.locals, config, room);
    const list = await moderation.withStore((store) => store.listInvites(room));
    sendJson(res, 200, { invites: list.map(inviteView) });
  };
}

/** `DELETE /invites/{id}`: revokes an invite; its code stops working at once. */
function revokeInviteHandler({ config, moderation }: AppParts): RequestHandler {
  return async (req, res) => {
    const id = String(req.params.id);
    if (!INVITE_ID.test(id)) throw notFound();
    const invite = await moderation.withStore((store) => store.inviteById(id));
    if (invite === undefined) throw notFound();
    // Checked before revoking: a host token may revoke its own room's invites only.
    const moderator = requireModerator(res.locals, config, invite.room);
    const revoked = await moderation.withStore((store) => store.revokeInvite(id));
    if (revoked === undefined) throw notFound();
    await moderation.record({
      event: 'invite_revoked',
      room: revoked.room,
      identity: revoked.identity,
      actor: moderator.label,
      requestId: res.locals.requestId ?? null,
      details: { invite_id: revoked.id, uses: revoked.uses },
    });
    res.status(204).end();
  };
}

const MODERATOR = { kind: 'moderator', budget: 'moderation' } as const;

/** The route table's entries for invites. */
export const inviteRoutes: readonly Route[] = [
  {
    method: 'post',
    path: '/invites',
    access: { ...MODERATOR, bodyLimitBytes: moderationBodyLimitBytes },
    handler: createInviteHandler,
    operation: createInviteOperation,
  },
  {
    method: 'get',
    path: '/invites',
    access: MODERATOR,
    handler: listInvitesHandler,
    operation: listInvitesOperation,
  },
  {
    method: 'delete',
    path: '/invites/:id',
    access: MODERATOR,
    handler: revokeInviteHandler,
    operation: revokeInviteOperation,
  },
];
