// POST /token: mints a LiveKit join token for one participant in one room.
import type { RequestHandler } from 'express';
import { callerOf } from '../caller';
import { participantFor } from '../issue-token';
import { addressBudgetKey } from '../rate-limit';
import { sendJson } from '../respond';
import { guestTokenBodySchema } from '../schemas/guest-token-body';
import { validateBody, validationError } from '../schemas/request-body';
import { tokenBodySchema } from '../schemas/token-body';
import { tokenBodyLimitBytes } from './body-limits';
import { carriesInvite, INVITE_CODE_HEADER } from './invite-credential';
import { lobbyWaitView } from './invite-view';
import type { AppParts, Route } from './route';
import { tokenOperation } from './token.openapi';

const PATH = '/token';

/** `POST /token` with an invite: the guest's token, or its place in the lobby (202). */
function guestTokenHandler({ config, invites }: AppParts): RequestHandler {
  const schema = guestTokenBodySchema(config);
  return async (req, res) => {
    const body = validateBody(schema, req.body ?? {});
    const header = req.get(INVITE_CODE_HEADER);
    if (header !== undefined && body.invite_code !== undefined && body.invite_code !== header) {
      throw validationError([
        {
          field: 'invite_code',
          message: `invite_code differs from the ${INVITE_CODE_HEADER} header: send one code`,
        },
      ]);
    }
    const redemption = await invites.redeem(
      {
        code: header ?? body.invite_code ?? '',
        roomName: body.room_name,
        name: body.full_name,
        metadata: body.metadata,
        attributes: body.attributes,
        roomConfig: body.room_config,
      },
      { route: PATH, requestId: res.locals.requestId ?? null, address: addressBudgetKey(req, res) },
    );
    if (redemption.kind === 'lobby') {
      sendJson(res, 202, lobbyWaitView(redemption.entry, redemption.pollToken));
      return;
    }
    const { issued, identity } = redemption;
    res.locals.audit = issued.auditFields;
    sendJson(res, 200, {
      token: issued.token,
      room_name: issued.roomName,
      identity,
      role: issued.role,
      expires_at: issued.expiresAt.toISOString(),
      ...(config.livekitUrl ? { server_url: config.livekitUrl } : {}),
    });
  };
}

/** `POST /token`: mints a LiveKit join token for one participant in one room. */
function tokenHandler(parts: AppParts): RequestHandler {
  const { config, issuer } = parts;
  const schema = tokenBodySchema(config);
  const asGuest = guestTokenHandler(parts);
  return async (req, res, next) => {
    if (carriesInvite(req, true)) {
      await asGuest(req, res, next);
      return;
    }
    const caller = callerOf(res.locals);
    const body = validateBody(schema, req.body);
    // A login's identity is the token's whatever the body says, so its email is not needed.
    const { identity, name } = participantFor(caller, {
      identity: body.user_id,
      identityField: 'user_id',
      name: body.full_name,
      defaultIdentity: () => body.user_email,
    });
    const issued = await issuer.issue(
      caller,
      {
        identity,
        name,
        roomName: body.room_name,
        role: body.role,
        metadata: body.metadata,
        attributes: body.attributes,
        ttlSeconds: body.ttl_seconds,
        roomConfig: body.room_config,
      },
      { route: PATH, requestId: res.locals.requestId ?? null },
    );
    res.locals.audit = issued.auditFields;
    sendJson(res, 200, {
      token: issued.token,
      room_name: issued.roomName,
      identity,
      role: issued.role,
      expires_at: issued.expiresAt.toISOString(),
      ...(config.livekitUrl ? { server_url: config.livekitUrl } : {}),
    });
  };
}

/** The route table's entry for POST /token. */
export const tokenRoute: Route = {
  method: 'post',
  path: PATH,
  access: {
    kind: 'caller',
    budget: 'token',
    bodyLimitBytes: tokenBodyLimitBytes,
    invites: 'header-or-body',
  },
  handler: tokenHandler,
  operation: tokenOperation,
};
