// POST /connection-details: LiveKit's standard token endpoint (TokenSource.endpoint).
import type { RequestHandler } from 'express';
import { callerOf } from '../caller';
import { HttpError } from '../errors';
import { generateIdentity, participantFor } from '../issue-token';
import { sendJson } from '../respond';
import { connectionDetailsBodySchema } from '../schemas/connection-details-body';
import { validateBody } from '../schemas/request-body';
import { tokenBodyLimitBytes } from './body-limits';
import { connectionDetailsOperation } from './connection-details.openapi';
import type { AppParts, Route } from './route';

const PATH = '/connection-details';

/**
 * `POST /connection-details`: LiveKit's standard token endpoint, which `TokenSource.endpoint`
 * in LiveKit's client SDKs calls. Answers where to connect and a token to connect with.
 */
function connectionDetailsHandler({ config, issuer }: AppParts): RequestHandler {
  const schema = connectionDetailsBodySchema(config);
  return async (req, res) => {
    const serverUrl = config.livekitUrl;
    if (serverUrl === undefined) {
      throw new HttpError(
        'LIVEKIT_URL_NOT_SET',
        'This token server has no LIVEKIT_URL, so it cannot tell clients where to connect; its operator must set LIVEKIT_URL to the LiveKit server (e.g. wss://my-project.livekit.cloud).',
      );
    }
    const caller = callerOf(res.locals);
    const body = validateBody(schema, req.body);
    const { identity, name } = participantFor(caller, {
      identity: body.participant_identity,
      identityField: 'participant_identity',
      name: body.participant_name,
      defaultIdentity: generateIdentity,
    });
    const issued = await issuer.issue(
      caller,
      {
        identity,
        name,
        roomName: body.room_name,
        role: body.role,
        metadata: body.participant_metadata,
        attributes: body.participant_attributes,
        ttlSeconds: body.ttl_seconds,
        roomConfig: body.room_config,
      },
      { route: PATH, requestId: res.locals.requestId ?? null },
    );
    res.locals.audit = issued.auditFields;
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

/** The route table's entry for POST /connection-details. */
export const connectionDetailsRoute: Route = {
  method: 'post',
  path: PATH,
  access: { kind: 'caller', budget: 'token', bodyLimitBytes: tokenBodyLimitBytes },
  handler: connectionDetailsHandler,
  operation: connectionDetailsOperation,
};
