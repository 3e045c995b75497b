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
 * For a caller logged in with a JWT, the login's name stands in for the body's full_name
 * when the body leaves it out, in either spelling. The identity is the login's whatever the
 * body says (identityFor), so its email is not needed as user_email.
 */
function withLoginDefaults(body: unknown, caller: Caller): unknown {
  if (caller.kind !== 'jwt' || typeof body !== 'object' || body === null || Array.isArray(body)) {
    return body;
  }
  if (
    caller.name === undefined ||
    Object.hasOwn(body, 'full_name') ||
    Object.hasOwn(body, 'fullName')
  ) {
    return body;
  }
  return { full_name: caller.name, ...body };
}

/** `POST /token`: mints a LiveKit join token for one participant in one room. */
export function tokenHandler(config: Config, signer: TokenSigner): RequestHandler {
  const schema = tokenBodySchema(config);
  return (req, res) => {
    const caller = callerOf(res.locals);
    const body = validateBody(schema, withLoginDefaults(req.body, caller));
    const identity = identityFor(body.user_id, 'user_id', caller) ?? body.user_email;
    // Unreachable: without a login, the schema asks for user_id or user_email.
    if (identity === undefined) throw new Error('a /token body passed without an identity');
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
    // For the metrics, which count tokens by role.
    res.locals.issuedRole = issued.role;
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
