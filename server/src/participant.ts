import { randomBytes } from 'node:crypto';
import Joi from 'joi';
import type { Caller } from './auth';
import type { Config } from './config';
import { HttpError } from './errors';
import type { RoomConfiguration, SignedToken, TokenSigner } from './grants';
import { grantFor, mayRequestRole } from './roles';
import { isPrintableText, printableText } from './validation';

/** LiveKit's default cap on participant metadata, in bytes of UTF-8. */
export const MAX_METADATA_BYTES = 64 * 1024;
/** LiveKit's default cap on all of a participant's attributes together, in bytes of UTF-8. */
export const MAX_ATTRIBUTES_BYTES = 64 * 1024;
/** Agents one token may dispatch. */
export const MAX_AGENTS = 8;

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

// Messages for the errors below live in validation.ts with the others: messages set on a
// schema itself are merged into the preferences on every request, absent field or not,
// which cost more than the rest of a token request's validation together.

/** Metadata: any text, JSON usually, up to 64 KiB. */
export const metadataText = Joi.string()
  .allow('')
  .custom((metadata: string, helpers) =>
    utf8Bytes(metadata) > MAX_METADATA_BYTES
      ? helpers.error('string.maxBytes', { limit: MAX_METADATA_BYTES })
      : metadata,
  );

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
      if (!isPrintableText(key)) return helpers.error('attributes.key');
      bytes += utf8Bytes(key) + utf8Bytes(value);
    }
    if (bytes > MAX_ATTRIBUTES_BYTES) {
      return helpers.error('attributes.size', { limit: MAX_ATTRIBUTES_BYTES });
    }
    return attributes;
  });

/** One agent to dispatch, as the request spells it (LiveKit's proto field names). */
export interface AgentDispatchBody {
  agent_name: string;
  metadata?: string;
  deployment?: string;
}

/** The room_config of a request: only agent dispatch is taken. */
export interface RoomConfigBody {
  agents?: AgentDispatchBody[];
}

const agentDispatch = Joi.object<AgentDispatchBody>({
  agent_name: printableText.required(),
  metadata: metadataText,
  deployment: printableText,
}).rename('agentName', 'agent_name');

/**
 * A room_config as LiveKit's clients send it. Other RoomConfiguration fields (egress, room
 * limits...) are refused rather than passed on: they change the room for everyone in it.
 */
export const roomConfig = Joi.object<RoomConfigBody>({
  agents: Joi.array().items(agentDispatch).max(MAX_AGENTS),
});

/** The `role` and `ttl_seconds` fields, which depend on the configuration. */
export function roleAndLifetimeFields(config: Config) {
  return {
    role: Joi.string().valid(...config.roles.keys()),
    ttl_seconds: Joi.number()
      .integer()
      .min(1)
      .custom((seconds: number, helpers) =>
        seconds > config.tokenTtlSeconds
          ? helpers.error('number.maxLifetime', { limit: config.tokenTtlSeconds })
          : seconds,
      ),
  };
}

/** A room name nobody can guess: 96 random bits. */
export function generateRoomName(): string {
  return `room-${randomBytes(12).toString('base64url')}`;
}

/** A participant identity nobody can guess: 96 random bits. */
export function generateIdentity(): string {
  return `participant-${randomBytes(12).toString('base64url')}`;
}

/**
 * The identity a token is for. A JWT caller's identity is the verified one, whatever the
 * request says; anyone else's is what they asked for, if anything.
 */
export function identityFor(
  requested: string | undefined,
  field: string,
  caller: Caller,
): string | undefined {
  if (caller.kind !== 'jwt') return requested;
  if (requested !== undefined && requested !== caller.identity) {
    throw new HttpError(
      403,
      'IDENTITY_MISMATCH',
      `${field} differs from the identity of your login; leave it out or send the same value.`,
    );
  }
  return caller.identity;
}

/** A participant token to mint, once the request is validated. */
export interface ParticipantTokenRequest {
  identity: string;
  name: string | undefined;
  roomName: string | undefined;
  role: string | undefined;
  metadata: string | undefined;
  attributes: Record<string, string> | undefined;
  ttlSeconds: number | undefined;
  roomConfig: RoomConfigBody | undefined;
}

/** A minted participant token and what the server chose for it. */
export interface IssuedParticipantToken extends SignedToken {
  roomName: string;
  role: string;
}

/** LiveKit's camelCase room configuration, with only the fields the request set. */
function toRoomConfiguration(body: RoomConfigBody | undefined): RoomConfiguration | undefined {
  if (body?.agents === undefined || body.agents.length === 0) return undefined;
  return {
    agents: body.agents.map((agent) => ({
      agentName: agent.agent_name,
      ...(agent.metadata ? { metadata: agent.metadata } : {}),
      ...(agent.deployment === undefined ? {} : { deployment: agent.deployment }),
    })),
  };
}

/**
 * Checks what the caller may ask for (room, role, agents) and signs the token. Shared by
 * `/token` and `/connection-details`, so both obey the same rules.
 */
export function issueParticipantToken(
  config: Config,
  signer: TokenSigner,
  caller: Caller,
  request: ParticipantTokenRequest,
): IssuedParticipantToken {
  const { roomName: requestedRoom, role = config.defaultRole } = request;
  if (requestedRoom !== undefined && config.roomNamePattern?.test(requestedRoom) === false) {
    throw new HttpError(
      403,
      'ROOM_NOT_ALLOWED',
      'room_name is not one this server hands out tokens for (see ROOM_NAME_PATTERN).',
    );
  }
  if (!mayRequestRole(caller, role, config.publicRoles)) {
    throw new HttpError(
      403,
      'ROLE_NOT_ALLOWED',
      `The role ${role} is not one you may ask for${request.role === undefined ? ' (it is the default role, DEFAULT_ROLE)' : ''}; roles open to everyone: ${[...config.publicRoles].join(', ')}.`,
    );
  }
  const refusedAgent = request.roomConfig?.agents?.find(
    (agent) => config.agentNames !== undefined && !config.agentNames.has(agent.agent_name),
  );
  if (refusedAgent !== undefined) {
    throw new HttpError(
      403,
      'AGENT_NOT_ALLOWED',
      'room_config names an agent this server does not dispatch (see AGENT_NAMES).',
    );
  }
  const roleGrant = config.roles.get(role);
  // Unreachable: validation allows only configured roles and config checks DEFAULT_ROLE.
  if (roleGrant === undefined) throw new Error(`role ${role} is not configured`);
  const roomName = requestedRoom ?? generateRoomName();
  const signed = signer.sign({
    identity: request.identity,
    name: request.name,
    video: grantFor(roleGrant, roomName),
    ttlSeconds: request.ttlSeconds ?? config.tokenTtlSeconds,
    metadata: request.metadata,
    attributes: request.attributes,
    roomConfig: toRoomConfiguration(request.roomConfig),
  });
  return { ...signed, roomName, role };
}
