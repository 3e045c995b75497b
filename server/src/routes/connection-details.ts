import type { RequestHandler } from 'express';
import type Joi from 'joi';
import { callerOf } from '../auth';
import type { Config } from '../config';
import { HttpError } from '../errors';
import type { TokenSigner } from '../grants';
import {
  generateIdentity,
  identityFor,
  issueParticipantToken,
  metadataText,
  participantAttributes,
  roleAndLifetimeFields,
  roomConfig,
  type RoomConfigBody,
} from '../participant';
import { isPrintableText, printableText, requestSchema, validateBody } from '../validation';
import { sendJson } from '../respond';

/**
 * The JSON body of `POST /connection-details`: LiveKit's TokenSourceRequest in its proto
 * field names, every field optional, plus our `role` and `ttl_seconds`.
 */
interface ConnectionDetailsBody {
  room_name?: string;
  participant_identity?: string;
  participant_name?: string;
  participant_metadata?: string;
  participant_attributes?: Record<string, string>;
  room_config?: RoomConfigBody;
  role?: string;
  ttl_seconds?: number;
}

/** The camelCase spellings LiveKit's JSON also allows, each to its proto field name. */
const CAMEL_CASE_SPELLINGS = {
  roomName: 'room_name',
  participantIdentity: 'participant_identity',
  participantName: 'participant_name',
  participantMetadata: 'participant_metadata',
  participantAttributes: 'participant_attributes',
  roomConfig: 'room_config',
  ttlSeconds: 'ttl_seconds',
} as const;

function connectionDetailsSchema(config: Config): Joi.ObjectSchema<ConnectionDetailsBody> {
  let schema = requestSchema<ConnectionDetailsBody>({
    room_name: printableText,
    participant_identity: printableText,
    participant_name: printableText,
    participant_metadata: metadataText,
    participant_attributes: participantAttributes,
    room_config: roomConfig,
    ...roleAndLifetimeFields(config),
  });
  for (const [camelCase, snakeCase] of Object.entries(CAMEL_CASE_SPELLINGS)) {
    schema = schema.rename(camelCase, snakeCase);
  }
  return schema;
}

/**
 * `POST /connection-details`: LiveKit's standard token endpoint, which `TokenSource.endpoint`
 * in LiveKit's client SDKs calls. Answers where to connect and a token to connect with.
 */
export function connectionDetailsHandler(config: Config, signer: TokenSigner): RequestHandler {
  const schema = connectionDetailsSchema(config);
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
