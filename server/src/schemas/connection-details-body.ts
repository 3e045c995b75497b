// The JSON body of POST /connection-details (LiveKit's TokenSourceRequest) and its schema.
import type Joi from 'joi';
import type { Config } from '../config';
import {
  identifierText,
  participantMetadata,
  requestedRoomName,
  participantAttributes,
  printableText,
  roleAndLifetimeFields,
  roomConfig,
  type RoomConfigBody,
} from './fields';
import { NEAR_MISSES_META } from './near-misses';
import { requestSchema } from './request-body';

/**
 * The JSON body of `POST /connection-details`: LiveKit's TokenSourceRequest in its proto
 * field names, every field optional, plus our `role` and `ttl_seconds`.
 */
export interface ConnectionDetailsBody {
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
export const CAMEL_CASE_SPELLINGS = {
  roomName: 'room_name',
  participantIdentity: 'participant_identity',
  participantName: 'participant_name',
  participantMetadata: 'participant_metadata',
  participantAttributes: 'participant_attributes',
  roomConfig: 'room_config',
  ttlSeconds: 'ttl_seconds',
} as const;

/** Words taken for this body's fields (/token's among them), in snake_case, to the field meant. */
const CONNECTION_DETAILS_NEAR_MISSES = {
  name: 'participant_name',
  full_name: 'participant_name',
  display_name: 'participant_name',
  identity: 'participant_identity',
  id: 'participant_identity',
  user_id: 'participant_identity',
  user_email: 'participant_identity',
  room: 'room_name',
  metadata: 'participant_metadata',
  attributes: 'participant_attributes',
  ttl: 'ttl_seconds',
};

/**
 * The schema of a `POST /connection-details` body, with the camelCase spellings LiveKit's
 * JSON also allows (`roomName`...).
 */
export function connectionDetailsBodySchema(
  config: Config,
): Joi.ObjectSchema<ConnectionDetailsBody> {
  return requestSchema<ConnectionDetailsBody>(
    {
      room_name: requestedRoomName,
      participant_identity: identifierText.description(
        "The participant's identity, unique within the room; without it, participant- and 96 random bits. With AUTH_MODE=jwt it must be the login's identity, or be left out.",
      ),
      participant_name: printableText.description(
        "The participant's display name. With AUTH_MODE=jwt, the login's name claim stands in when it is left out.",
      ),
      participant_metadata: participantMetadata(config.maxMetadataBytes),
      participant_attributes: participantAttributes,
      room_config: roomConfig,
      ...roleAndLifetimeFields(config),
    },
    CAMEL_CASE_SPELLINGS,
  )
    .meta({ [NEAR_MISSES_META]: CONNECTION_DETAILS_NEAR_MISSES })
    .description(
      "LiveKit's TokenSourceRequest: every field optional. Each may also be spelt in camelCase (roomName, participantName...), as LiveKit's JSON allows, never both ways at once.",
    );
}
