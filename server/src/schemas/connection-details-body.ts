// The JSON body of POST /connection-details (LiveKit's TokenSourceRequest) and its schema.
import type Joi from 'joi';
import type { Config } from '../config';
import {
  identifierText,
  metadataText,
  participantAttributes,
  printableText,
  roleAndLifetimeFields,
  roomConfig,
  type RoomConfigBody,
} from './fields';
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

/** The schema of a `POST /connection-details` body, camelCase spellings included. */
export function connectionDetailsBodySchema(
  config: Config,
): Joi.ObjectSchema<ConnectionDetailsBody> {
  let schema = requestSchema<ConnectionDetailsBody>({
    room_name: identifierText,
    participant_identity: identifierText,
    participant_name: printableText,
    participant_metadata: metadataText(config.maxMetadataBytes),
    participant_attributes: participantAttributes,
    room_config: roomConfig,
    ...roleAndLifetimeFields(config),
  });
  for (const [camelCase, snakeCase] of Object.entries(CAMEL_CASE_SPELLINGS)) {
    schema = schema.rename(camelCase, snakeCase);
  }
  return schema;
}
