// POST /connection-details: LiveKit's standard token endpoint (TokenSource.endpoint).
import type { RequestHandler } from 'express';
import { callerOf } from '../caller';
import { HttpError } from '../errors';
import { generateIdentity, participantFor } from '../issue-token';
import { addressBudgetKey } from '../rate-limit';
import { sendJson } from '../respond';
import { connectionDetailsBodySchema } from '../schemas/connection-details-body';
import { validateBody } from '../schemas/request-body';
import { tokenBodyLimitBytes } from './body-limits';
import { connectionDetailsOperation } from './connection-details.openapi';
import { connectionDetailsView } from './connection-details-view';
import { INVITE_CODE_HEADER } from './invite-credential';
import { lobbyWaitView } from './invite-view';
import type { AppParts, Route } from './route';

const PATH = '/connection-details';

/**
 * `POST /connection-details`: LiveKit's standard token endpoint, which `TokenSource.endpoint`
 * in LiveKit's client SDKs calls. Answers where to connect and a token to connect with.
 */
function connectionDetailsHandler({ config, issuer, invites }: AppParts): RequestHandler {
  const schema = connectionDetailsBodySchema(config);
  return async (req, res) => {
    const serverUrl = config.livekitUrl;
    if (serverUrl === undefined) {
      throw new HttpError(
        'LIVEKIT_URL_NOT_SET',
        'This token server has no LIVEKIT_URL, so it cannot tell clients where to connect; its operator must set LIVEKIT_URL to the LiveKit server (e.g. wss://my-project.livekit.cloud).',
      );
    }
    const body = validateBody(schema, req.body);
    const code = req.get(INVITE_CODE_HEADER);
    if (code !== undefined) {
      const redemption = await invites.redeem(
        {
          code,
          roomName: body.room_name,
          name: body.participant_name,
          metadata: body.participant_metadata,
          attributes: body.participant_attributes,
          roomConfig: body.room_config,
        },
        {
          route: PATH,
          requestId: res.locals.requestId ?? null,
          address: addressBudgetKey(req, res),
        },
      );
      if (redemption.kind === 'lobby') {
        sendJson(res, 202, lobbyWaitView(redemption.entry, redemption.pollToken));
        return;
      }
      res.locals.audit = redemption.issued.auditFields;
      sendJson(
        res,
        201,
        connectionDetailsView(serverUrl, redemption.issued, redemption.identity, redemption.name),
      );
      return;
    }
    const caller = callerOf(res.locals);
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
    sendJson(res, 201, connectionDetailsView(serverUrl, issued, identity, name));
  };
}

/** The route table's entry for POST /connection-details. */
export const connectionDetailsRoute: Route = {
  method: 'post',
  path: PATH,
  access: {
    kind: 'caller',
    budget: 'token',
    bodyLimitBytes: tokenBodyLimitBytes,
    invites: 'header',
  },
  handler: connectionDetailsHandler,
  operation: connectionDetailsOperation,
};
