// The JSON body of POST /token and its schema.
import type Joi from 'joi';
import type { Config } from '../config';
import {
  identifierText,
  identityEmail,
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
 * The JSON body of `POST /token`, once validated (camelCase spellings read as these). Without
 * a login, user_id or user_email is there, the identity, and full_name; a login brings its
 * own identity, and its name stands in for full_name.
 */
export interface TokenBody {
  user_email?: string;
  full_name?: string;
  user_id?: string;
  room_name?: string;
  role?: string;
  metadata?: string;
  attributes?: Record<string, string>;
  ttl_seconds?: number;
  room_config?: RoomConfigBody;
}

/** The camelCase spellings /token takes too, as /connection-details does, to the field. */
export const TOKEN_CAMEL_CASE_SPELLINGS = {
  userEmail: 'user_email',
  fullName: 'full_name',
  userId: 'user_id',
  roomName: 'room_name',
  roomConfig: 'room_config',
  ttlSeconds: 'ttl_seconds',
} as const;

/** Words taken for /token's fields, in snake_case, to the field meant. */
const TOKEN_NEAR_MISSES = {
  email: 'user_email',
  name: 'full_name',
  display_name: 'full_name',
  participant_name: 'full_name',
  identity: 'user_id',
  id: 'user_id',
  participant_identity: 'user_id',
  room: 'room_name',
  participant_metadata: 'metadata',
  participant_attributes: 'attributes',
  ttl: 'ttl_seconds',
};

/**
 * The schema of a `POST /token` body, camelCase spellings included; roles and lifetime
 * depend on the configuration, and so does the identity: a login brings its own, anyone
 * else gives user_id or user_email.
 */
export function tokenBodySchema(config: Config): Joi.ObjectSchema<TokenBody> {
  const schema = requestSchema<TokenBody>(
    {
      user_email: identityEmail.description(
        "The participant's email address: the token's identity when user_id is absent. Give user_id, user_email or both; with AUTH_MODE=jwt the login's identity is the token's, and neither is needed.",
      ),
      full_name:
        config.auth.mode === 'jwt'
          ? printableText.description(
              "The participant's display name. Optional with AUTH_MODE=jwt: without it, the login's name claim, when that is printable text of 1 to 256 characters; else the token has no name.",
            )
          : printableText.required().description("The participant's display name."),
      user_id: identifierText.description(
        "The participant's identity, unique within the room; guests and agents without an email give it alone. With AUTH_MODE=jwt it must be the login's identity, or be left out.",
      ),
      room_name: requestedRoomName,
      metadata: participantMetadata(config.maxMetadataBytes),
      attributes: participantAttributes,
      room_config: roomConfig,
      ...roleAndLifetimeFields(config),
    },
    TOKEN_CAMEL_CASE_SPELLINGS,
  )
    .meta({ [NEAR_MISSES_META]: TOKEN_NEAR_MISSES })
    .description(
      config.auth.mode === 'jwt'
        ? 'Who the token is for comes from the login: its identity, and its name unless full_name is given. Each field may also be spelt in camelCase (fullName, roomName...), never both ways at once.'
        : 'Give the identity as user_id or user_email (or both; user_id wins), and full_name. Each field may also be spelt in camelCase (userId, fullName...), never both ways at once.',
    );
  if (config.auth.mode === 'jwt') return schema;
  // The message is set on the body's schema, whose preferences Joi compiles once, not on
  // a field's (see fields.ts).
  return schema
    .or('user_id', 'user_email')
    .messages({ 'object.missing': 'give user_id or user_email (the identity)' });
}
