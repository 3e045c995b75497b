// Issuing a participant token: what a caller may ask for (room, role, agents, identity)
// and the signing itself. Shared by /token and /connection-details, so both obey one set of
// rules. Knows nothing of HTTP beyond the HttpError it throws.
import { randomBytes } from 'node:crypto';
import type { Caller } from './caller';
import type { Config } from './config';
import { HttpError } from './errors';
import type { RoomConfiguration, SignedToken, TokenSigner } from './grants';
import { grantFor } from './roles';
import type { RoomConfigBody } from './schemas/fields';

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

/** Whether a caller may ask for a role: api-key callers any, others the public ones or their own. */
export function mayRequestRole(
  caller: Caller,
  role: string,
  publicRoles: ReadonlySet<string>,
): boolean {
  switch (caller.kind) {
    case 'api-key':
      return true;
    case 'anonymous':
      return publicRoles.has(role);
    case 'jwt':
      return publicRoles.has(role) || caller.roles.includes(role);
  }
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
      ...(agent.agent_name === undefined ? {} : { agentName: agent.agent_name }),
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
  const { agentNames } = config;
  // With an allowlist, LiveKit's default agent (no agent_name) is not on it either.
  const refusedAgent = request.roomConfig?.agents?.find(
    (agent) =>
      agentNames !== undefined &&
      (agent.agent_name === undefined || !agentNames.has(agent.agent_name)),
  );
  if (refusedAgent !== undefined) {
    throw new HttpError(
      403,
      'AGENT_NOT_ALLOWED',
      refusedAgent.agent_name === undefined
        ? 'room_config asks for the default agent (no agent_name), which AGENT_NAMES does not list.'
        : 'room_config names an agent this server does not dispatch (see AGENT_NAMES).',
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
