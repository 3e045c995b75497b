// The JSON body of POST /bans and its schema.
import Joi from 'joi';
import { identifierText, printableText } from './fields';
import { requestSchema } from './request-body';

/** The longest ban a duration may ask for: ten years, in seconds; longer is "until lifted". */
export const MAX_BAN_DURATION_SECONDS = 10 * 365 * 24 * 3600;

/** The JSON body of `POST /bans`. */
export interface BanBody {
  identity: string;
  room?: string;
  reason?: string;
  duration_seconds?: number;
}

/** The schema of a `POST /bans` body. */
export const banBodySchema = requestSchema<BanBody>({
  identity: identifierText.required().description('The LiveKit identity to keep out.'),
  room: identifierText.description('The room to keep it out of; absent: every room.'),
  reason: printableText.description(
    'Why, for moderators: shown in GET /bans and the audit trail, never to the banned participant.',
  ),
  duration_seconds: Joi.number()
    .integer()
    .min(1)
    .max(MAX_BAN_DURATION_SECONDS)
    .description('How long the ban holds, in seconds; absent: until lifted.'),
});
