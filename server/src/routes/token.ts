// POST /token: mints a LiveKit join token for one participant in one room.
import type { RequestHandler } from 'express';
import { callerOf, type Caller } from '../caller';
import type { Config } from '../config';
import type { TokenSigner } from '../grants';
import { identityFor, issueParticipantToken } from '../issue-token';
import { sendJson } from '../respond';
import { validateBody } from '../schemas/request-body';
import { tokenBodySchema } from '../schemas/token-body';

/**
 * For a caller logged in with a JWT, the login's name and email stand in for the body's
 * full_name and user_email when the body leaves them out.
 */
function withLoginDefaults(body: unknown, caller: Caller): unknown {
  if (caller.kind !== 'jwt' || typeof body !== 'object' || body === null || Array.isArray(body)) {
    return body;
  }
  return {
    ...(caller.email === undefined ? {} : { user_email: caller.email }),
    ...(caller.name === undefined ? {} : { full_name: caller.name }),
    ...body,
  };
}

/** `POST /token`: mints a LiveKit join token for one participant in one room. */
export function tokenHandler(config: Config, signer: TokenSigner): RequestHandler {
  const schema = tokenBodySchema(config);
  return (req, res) => {
    const caller = callerOf(res.locals);
    const body = validateBody(schema, withLoginDefaults(req.body, caller));
    const identity = identityFor(body.user_id, 'user_id', caller) ?? body.user_email;
    const issued = issueParticipantToken(config, signer, caller, {
      identity,
      name: body.full_name,
      roomName: body.room_name,
      role: body.role,
      metadata: body.metadata,
      attributes: body.attributes,
      ttlSeconds: body.ttl_seconds,
      roomConfig: body.room_config,
    });
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
