// The JSON body of POST /token and its schema.
import type Joi from 'joi';
import type { Config } from '../config';
import {
  identifierText,
  identityEmail,
  metadataText,
  participantAttributes,
  printableText,
  roleAndLifetimeFields,
  roomConfig,
  type RoomConfigBody,
} from './fields';
import { requestSchema } from './request-body';

/** The JSON body of `POST /token`. */
export interface TokenBody {
  user_email: string;
  full_name: string;
  user_id?: string;
  room_name?: string;
  role?: string;
  metadata?: string;
  attributes?: Record<string, string>;
  ttl_seconds?: number;
  room_config?: RoomConfigBody;
}

/** The schema of a `POST /token` body; roles and lifetime depend on the configuration. */
export function tokenBodySchema(config: Config): Joi.ObjectSchema<TokenBody> {
  return requestSchema<TokenBody>({
    user_email: identityEmail.required(),
    full_name: printableText.required(),
    user_id: identifierText,
    room_name: identifierText,
    metadata: metadataText(config.maxMetadataBytes),
    attributes: participantAttributes,
    room_config: roomConfig,
    ...roleAndLifetimeFields(config),
  });
}
