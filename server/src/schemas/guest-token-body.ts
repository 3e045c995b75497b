// The JSON body of POST /token from a guest, whose invite is its credential: the invite
// sets the room, the role and (when it names one) the identity, so every field is optional
// and user_id, user_email and role, if sent, change nothing.
import Joi from 'joi';
import type { Config } from '../config';
import {
  identifierText,
  identityEmail,
  participantAttributes,
  participantMetadata,
  printableText,
  requestedRoomName,
  roleAndLifetimeFields,
  roomConfig,
} from './fields';
import { requestSchema } from './request-body';
import { TOKEN_CAMEL_CASE_SPELLINGS, type TokenBody } from './token-body';

/** The longest text taken for a code: a code is 19 characters as shown, typed loosely. */
const MAX_TYPED_CODE_LENGTH = 64;

/** The JSON body of `POST /token` with an invite. */
export interface GuestTokenBody extends TokenBody {
  invite_code?: string;
}

/** An invite code as a field: the code as shown, any case, spaces or dashes anywhere. */
export const inviteCodeText = Joi.string()
  .min(1)
  .max(MAX_TYPED_CODE_LENGTH)
  .description('The invite code (four groups of four letters); any case, with or without dashes.');

/** The schema of a guest's `POST /token` body. */
export function guestTokenBodySchema(config: Config): Joi.ObjectSchema<GuestTokenBody> {
  return requestSchema<GuestTokenBody>(
    {
      invite_code: inviteCodeText,
      full_name: printableText.description("The guest's display name; without it, the invite's."),
      user_id: identifierText.description("Ignored: the invite's identity, or a generated one."),
      user_email: identityEmail.description('Ignored, as user_id.'),
      room_name: requestedRoomName.description(
        "Optional: the invite's room. Another room is refused (INVITE_NOT_FOR_ROOM).",
      ),
      metadata: participantMetadata(config.maxMetadataBytes),
      attributes: participantAttributes,
      room_config: roomConfig,
      ...roleAndLifetimeFields(config),
    },
    TOKEN_CAMEL_CASE_SPELLINGS,
  );
}
