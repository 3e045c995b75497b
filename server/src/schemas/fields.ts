// The body fields that several routes share: printable text, metadata, attributes, agent
// dispatch (room_config), role and lifetime. Limits are LiveKit's where LiveKit has them.
import Joi from 'joi';
import type { Config } from '../config';
import {
  CONTROL_CHARACTERS,
  INVISIBLE_OR_BIDI,
  isIdentifierText,
  isWellFormedText,
  LONE_SURROGATE,
  MAX_TEXT_LENGTH,
  NON_SPACE,
} from '../text';
import { NEAR_MISSES_META } from './near-misses';

/** Our cap on an agent dispatch's metadata, in bytes of UTF-8. */
export const MAX_AGENT_METADATA_BYTES = 64 * 1024;
/** LiveKit's cap on all of a participant's attributes together, in bytes of UTF-8. */
export const MAX_ATTRIBUTES_BYTES = 64 * 1024;
/** Agents one token may dispatch. */
export const MAX_AGENTS = 8;

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

// Messages for the errors below live in request-body.ts with the others: messages set on a
// schema itself are merged into the preferences on every request, absent field or not,
// which cost more than the rest of a token request's validation together.
//
// Descriptions and metas cost nothing when validating; they feed /openapi.json. A custom rule
// is invisible to the document's generator, so each one carries its JSON Schema counterpart
// as `.meta({ jsonSchema })` (see server/src/openapi/json-schema.ts, which insists on it).

/** Text that must reach LiveKit as it is: no lone UTF-16 surrogates. */
const wellFormedText = Joi.string().pattern(LONE_SURROGATE, {
  name: 'lone UTF-16 surrogates',
  invert: true,
});

/**
 * Display text, such as a name: 1-256 characters, no control characters or lone
 * surrogates, not only white space. Bidirectional and zero-width characters are allowed:
 * names in Arabic or Hebrew need them.
 */
export const printableText = wellFormedText
  .min(1)
  .max(MAX_TEXT_LENGTH)
  .pattern(CONTROL_CHARACTERS, { name: 'control characters', invert: true })
  .pattern(NON_SPACE, { name: 'a character other than white space' });

/** An identifier, such as an identity or a room name: display text with nothing invisible. */
export const identifierText = printableText.pattern(INVISIBLE_OR_BIDI, {
  name: 'invisible or bidirectional-control characters',
  invert: true,
});

/** An email address that becomes an identity, held to the identifier rule too. */
export const identityEmail = Joi.string()
  .max(254)
  .email({ tlds: false })
  .pattern(LONE_SURROGATE, { name: 'lone UTF-16 surrogates', invert: true })
  .pattern(INVISIBLE_OR_BIDI, {
    name: 'invisible or bidirectional-control characters',
    invert: true,
  });

/** Metadata: any text, JSON usually, up to `maxBytes` of UTF-8. */
export function metadataText(maxBytes: number): Joi.StringSchema {
  return (
    wellFormedText
      .allow('')
      .custom((metadata: string, helpers) =>
        utf8Bytes(metadata) > maxBytes
          ? helpers.error('string.maxBytes', { limit: maxBytes })
          : metadata,
      )
      // JSON Schema counts characters, never fewer than bytes: maxLength holds for every
      // accepted value, and the extension states the byte limit itself.
      .meta({ jsonSchema: { maxLength: maxBytes, 'x-max-utf8-bytes': maxBytes } })
  );
}

/**
 * An attribute key as the document states it; the custom rule below checks it, with its own
 * message, since Joi would call a key that fails its pattern an unknown field.
 */
const attributeKey = identifierText.pattern(/^__proto__$/, {
  name: 'the name __proto__',
  invert: true,
});

/** An attribute value as the document states it: any text that survives UTF-8. */
const attributeValue = wellFormedText.allow('');

/** Attributes: string to string, keys printable, at most 64 KiB in all. */
export const participantAttributes = Joi.object()
  .pattern(Joi.string().allow(''), Joi.string().allow(''))
  .custom((attributes: Record<string, string>, helpers) => {
    // Joi's copy of the object loses a key named __proto__: refuse it rather than drop it.
    if (Object.hasOwn(helpers.original as object, '__proto__')) {
      return helpers.error('attributes.key');
    }
    let bytes = 0;
    for (const [key, value] of Object.entries(attributes)) {
      if (!isIdentifierText(key)) return helpers.error('attributes.key');
      if (!isWellFormedText(value)) return helpers.error('attributes.value');
      bytes += utf8Bytes(key) + utf8Bytes(value);
    }
    if (bytes > MAX_ATTRIBUTES_BYTES) {
      return helpers.error('attributes.size', { limit: MAX_ATTRIBUTES_BYTES });
    }
    return attributes;
  })
  .description(
    `Participant attributes, string keys to string values, which LiveKit hands to everyone in the room. Keys: 1 to ${MAX_TEXT_LENGTH} characters without control, invisible or bidirectional-control characters or lone surrogates, not __proto__; values: no lone surrogates; at most ${MAX_ATTRIBUTES_BYTES} bytes of UTF-8 in all, keys and values.`,
  )
  .meta({
    jsonSchema: { 'x-max-utf8-bytes': MAX_ATTRIBUTES_BYTES },
    jsonSchemaOf: { propertyNames: attributeKey, additionalProperties: attributeValue },
  });

/**
 * One agent to dispatch, as the request spells it (LiveKit's proto field names). Without
 * agent_name, LiveKit dispatches its default agent, as its Swift and Android clients ask.
 */
export interface AgentDispatchBody {
  agent_name?: string;
  metadata?: string;
  deployment?: string;
}

/** The room_config of a request: only agent dispatch is taken. */
export interface RoomConfigBody {
  agents?: AgentDispatchBody[];
}

const agentDispatch = Joi.object<AgentDispatchBody>({
  agent_name: identifierText.description(
    'The name the agent registered with; without it, LiveKit dispatches its default agent.',
  ),
  metadata: metadataText(MAX_AGENT_METADATA_BYTES).description(
    `Handed to the agent's job as its metadata; at most ${MAX_AGENT_METADATA_BYTES} bytes of UTF-8.`,
  ),
  deployment: identifierText.description(
    'Which deployment of the agent to dispatch (LiveKit Cloud).',
  ),
})
  .rename('agentName', 'agent_name')
  .description('One agent to dispatch to the room when the participant joins.')
  .meta({ [NEAR_MISSES_META]: { name: 'agent_name', agent: 'agent_name' } });

/**
 * A room_config as LiveKit's clients send it. Other RoomConfiguration fields (egress, room
 * limits...) are refused rather than passed on: they change the room for everyone in it.
 */
export const roomConfig = Joi.object<RoomConfigBody>({
  agents: Joi.array()
    .items(agentDispatch)
    .max(MAX_AGENTS)
    .description(`The agents to dispatch, at most ${MAX_AGENTS}.`),
}).description(
  'Settings of the room, applied when the join creates it. Only agent dispatch is taken: other RoomConfiguration fields would change the room for everyone in it.',
);

/** Which roles callers may ask for under the configured AUTH_MODE, in a sentence. */
function whoMayAskForRoles(config: Config): string {
  const publicRoles = [...config.publicRoles].join(', ') || 'none';
  switch (config.auth.mode) {
    case 'none':
      return `Callers may ask for: ${publicRoles} (PUBLIC_ROLES).`;
    case 'api-key':
      return 'API-key callers may ask for any role.';
    case 'jwt':
      return `Every login may ask for: ${publicRoles} (PUBLIC_ROLES), and for the roles its own claim lists (AUTH_ROLES_CLAIM).`;
  }
}

/** The `role` and `ttl_seconds` fields, which depend on the configuration. */
export function roleAndLifetimeFields(config: Config) {
  return {
    role: Joi.string()
      .valid(...config.roles.keys())
      .description(
        `The participant's role, which sets its LiveKit video grants; without it, ${config.defaultRole} (DEFAULT_ROLE). ${whoMayAskForRoles(config)}`,
      )
      .meta({ jsonSchema: { default: config.defaultRole } }),
    ttl_seconds: Joi.number()
      .integer()
      .min(1)
      .custom((seconds: number, helpers) =>
        seconds > config.tokenTtlSeconds
          ? helpers.error('number.maxLifetime', { limit: config.tokenTtlSeconds })
          : seconds,
      )
      .description(
        `The token's lifetime in seconds, at most ${config.tokenTtlSeconds}, the lifetime this server gives tokens (TOKEN_EXPIRY_HOURS); without it, that lifetime.`,
      )
      .meta({ jsonSchema: { maximum: config.tokenTtlSeconds } }),
  };
}

/** The room a request asks for, as both token routes describe it. */
export const requestedRoomName = identifierText.description(
  'The room to join; without it, a new room name with 96 random bits is made.',
);

/** Participant metadata as both token routes take it, up to MAX_METADATA_BYTES. */
export function participantMetadata(maxBytes: number): Joi.StringSchema {
  return metadataText(maxBytes).description(
    `Participant metadata (JSON, usually), which LiveKit hands to everyone in the room; at most ${maxBytes} bytes of UTF-8 (MAX_METADATA_BYTES).`,
  );
}
