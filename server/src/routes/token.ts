// POST /token: mints a LiveKit join token for one participant in one room.
import type { RequestHandler } from 'express';
import { callerOf } from '../caller';
import { participantFor } from '../issue-token';
import { sendJson } from '../respond';
import { validateBody } from '../schemas/request-body';
import { tokenBodySchema } from '../schemas/token-body';
import { tokenBodyLimitBytes } from './body-limits';
import type { AppParts, Route } from './route';
import { tokenOperation } from './token.openapi';

const PATH = '/token';

/** `POST /token`: mints a LiveKit join token for one participant in one room. */
function tokenHandler({ config, issuer }: AppParts): RequestHandler {
  const schema = tokenBodySchema(config);
  return async (req, res) => {
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
  access: { kind: 'caller', budget: 'token', bodyLimitBytes: tokenBodyLimitBytes },
  handler: tokenHandler,
  operation: tokenOperation,
};
