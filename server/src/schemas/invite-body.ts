// The JSON body of POST /invites and its schema.
import Joi from 'joi';
import type { Config } from '../config';
import { identifierText, printableText } from './fields';
import { requestSchema } from './request-body';

/** The most uses one invite may allow: a big lecture hall, not a public door. */
export const MAX_INVITE_USES = 10_000;
/** How long an invite lives by default: a day, in seconds. */
export const DEFAULT_INVITE_SECONDS = 86_400;
/** The longest an invite may live: 30 days, in seconds. */
export const MAX_INVITE_SECONDS = 30 * 86_400;

/** The JSON body of `POST /invites`. */
export interface InviteBody {
  room: string;
  role?: string;
  max_uses?: number;
  expires_in_seconds?: number;
  identity?: string;
  name?: string;
  waiting_room?: boolean;
}

/** The schema of a `POST /invites` body; roles depend on the configuration. */
export function inviteBodySchema(config: Config): Joi.ObjectSchema<InviteBody> {
  return requestSchema<InviteBody>({
    room: identifierText.required().description('The room the invite lets guests into.'),
    role: Joi.string()
      .valid(...config.roles.keys())
      .description(
        `The guests' role; without it, ${config.defaultRole} (DEFAULT_ROLE). A moderator invites only to roles it may grant: roles with roomAdmin (host) need an API-key caller or a login holding that role.`,
      )
      .meta({ jsonSchema: { default: config.defaultRole } }),
    max_uses: Joi.number()
      .integer()
      .min(1)
      .max(MAX_INVITE_USES)
      .description('How many times the invite may be redeemed; without it, once.')
      .meta({ jsonSchema: { default: 1 } }),
    expires_in_seconds: Joi.number()
      .integer()
      .min(60)
      .max(MAX_INVITE_SECONDS)
      .description('How long the invite works, in seconds: at most 30 days; without it, a day.')
      .meta({ jsonSchema: { default: DEFAULT_INVITE_SECONDS } }),
    identity: identifierText.description(
      'The identity every guest of the invite gets: an invite for one person. Without it, each guest gets a generated one (guest-…).',
    ),
    name: printableText.description("The guests' display name when they give none."),
    waiting_room: Joi.boolean()
      .description('Guests wait in the lobby until a moderator of the room admits them.')
      .meta({ jsonSchema: { default: false } }),
  });
}
