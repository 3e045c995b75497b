// POST /connection-details: LiveKit's standard token endpoint (TokenSource.endpoint).
import type { RequestHandler } from 'express';
import { callerOf } from '../caller';
import type { Config } from '../config';
import { HttpError } from '../errors';
import type { TokenSigner } from '../grants';
import { generateIdentity, identityFor, issueParticipantToken } from '../issue-token';
import { sendJson } from '../respond';
import { connectionDetailsBodySchema } from '../schemas/connection-details-body';
import { validateBody } from '../schemas/request-body';
import { isPrintableText } from '../text';

/**
 * `POST /connection-details`: LiveKit's standard token endpoint, which `TokenSource.endpoint`
 * in LiveKit's client SDKs calls. Answers where to connect and a token to connect with.
 */
export function connectionDetailsHandler(config: Config, signer: TokenSigner): RequestHandler {
  const schema = connectionDetailsBodySchema(config);
  return (req, res) => {
    const serverUrl = config.livekitUrl;
    if (serverUrl === undefined) {
      throw new HttpError(
        503,
        'LIVEKIT_URL_NOT_SET',
        'This token server has no LIVEKIT_URL, so it cannot tell clients where to connect; its operator must set LIVEKIT_URL to the LiveKit server (e.g. wss://my-project.livekit.cloud).',
      );
    }
    const caller = callerOf(res.locals);
    const body = validateBody(schema, req.body);
    const identity =
      identityFor(body.participant_identity, 'participant_identity', caller) ?? generateIdentity();
    // A login's name fills in for participant_name when it would pass as one.
    const loginName =
      caller.kind === 'jwt' && isPrintableText(caller.name) ? caller.name : undefined;
    const name = body.participant_name ?? loginName;
    const issued = issueParticipantToken(config, signer, caller, {
      identity,
      name,
      roomName: body.room_name,
      role: body.role,
      metadata: body.participant_metadata,
      attributes: body.participant_attributes,
      ttlSeconds: body.ttl_seconds,
      roomConfig: body.room_config,
    });
    // For the metrics, which count tokens by role.
    res.locals.issuedRole = issued.role;
    sendJson(res, 201, {
      server_url: serverUrl,
      participant_token: issued.token,
      room_name: issued.roomName,
      participant_identity: identity,
      ...(name === undefined ? {} : { participant_name: name }),
      role: issued.role,
      expires_at: issued.expiresAt.toISOString(),
    });
  };
}
