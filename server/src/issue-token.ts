// Issuing a participant token: what a caller may ask for (room, role, agents, identity)
// and the signing itself. Shared by /token and /connection-details, so both obey one set of
// rules. Knows nothing of HTTP beyond the HttpError it throws.
import { randomBytes } from 'node:crypto';
import { callerLabel, type Caller } from './caller';
import type { Config } from './config';
import { HttpError } from './errors';
import { tokenExpiry, type RoomConfiguration, type SignedToken, type TokenSigner } from './grants';
import type { Moderation } from './moderation/moderation';
import { grantFor, type RoleGrant } from './roles';
import type { RoomConfigBody } from './schemas/fields';
import { isPrintableText } from './text';

/**
 * The attributes LiveKit reads itself: `lk.agent.state`, `lk.publish_on_behalf` and the
 * like, which its UI components and agents trust. A participant that sets them can pose as
 * an agent or publish in another's name.
 */
export const RESERVED_ATTRIBUTE_PREFIX = 'lk.';

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
      'IDENTITY_MISMATCH',
      `${field} differs from the identity of your login; leave it out or send the same value.`,
    );
  }
  return caller.identity;
}

/** Who a token is for, as a token route's body names them. */
export interface RequestedParticipant {
  /** The identity the body asks for, if any. */
  identity: string | undefined;
  /** The body field that carries it, named when a login's identity differs. */
  identityField: string;
  /** The display name the body asks for, if any. */
  name: string | undefined;
  /** The identity when neither the body nor a login gives one. */
  defaultIdentity: () => string | undefined;
}

/** A token's identity and display name. */
export interface Participant {
  identity: string;
  name: string | undefined;
}

/**
 * The one rule both token routes follow for identity and name. The identity is a login's
 * (identityFor), else the body's, else the route's default. The name is the body's, else
 * the login's `name` claim when it would pass as a display name (printable text of 1 to
 * 256 characters); a login name that would not is dropped, never refused, since the caller
 * did not send it and cannot fix it.
 */
export function participantFor(caller: Caller, requested: RequestedParticipant): Participant {
  const identity =
    identityFor(requested.identity, requested.identityField, caller) ?? requested.defaultIdentity();
  // Unreachable: without a login, each route's schema or default supplies an identity.
  if (identity === undefined) throw new Error('a token request passed without an identity');
  const loginName = caller.kind === 'jwt' && isPrintableText(caller.name) ? caller.name : undefined;
  return { identity, name: requested.name ?? loginName };
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
  /** The audit event, for the request's access line (`event: token_issued`); never the token. */
  auditFields?: Record<string, string>;
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

/** A request checked against what the caller may ask for, ready to sign. */
interface CheckedRequest {
  roomName: string;
  role: string;
  roleGrant: RoleGrant;
}

/** Checks what the caller may ask for (room, role, agents, attributes). */
function checkRequest(
  config: Config,
  caller: Caller,
  request: ParticipantTokenRequest,
  byInvite = false,
): CheckedRequest {
  const { roomName: requestedRoom, role = config.defaultRole } = request;
  if (requestedRoom !== undefined && config.roomNamePattern?.test(requestedRoom) === false) {
    throw new HttpError(
      'ROOM_NOT_ALLOWED',
      'room_name is not one this server hands out tokens for (see ROOM_NAME_PATTERN).',
    );
  }
  if (!byInvite && !mayRequestRole(caller, role, config.publicRoles)) {
    throw new HttpError(
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
      'AGENT_NOT_ALLOWED',
      refusedAgent.agent_name === undefined
        ? 'room_config asks for the default agent (no agent_name), which AGENT_NAMES does not list.'
        : 'room_config names an agent this server does not dispatch (see AGENT_NAMES).',
    );
  }
  const reserved = Object.keys(request.attributes ?? {}).find((key) =>
    key.startsWith(RESERVED_ATTRIBUTE_PREFIX),
  );
  if (reserved !== undefined && caller.kind !== 'api-key') {
    throw new HttpError(
      'ATTRIBUTE_NOT_ALLOWED',
      `Attributes starting with ${RESERVED_ATTRIBUTE_PREFIX} are LiveKit's own (an agent's state, publishing on another's behalf): only a backend with an API key may set them.`,
    );
  }
  const roleGrant = config.roles.get(role);
  // Unreachable: validation allows only configured roles and config checks DEFAULT_ROLE.
  if (roleGrant === undefined) throw new Error(`role ${role} is not configured`);
  return { roomName: requestedRoom ?? generateRoomName(), role, roleGrant };
}

/**
 * Whether a role takes a seat, by LiveKit's own rule for max_participants (pkg/rtc/room.go,
 * Join: agents and recorders are left out; hidden participants count), as
 * livekit/participant.ts applies it to the participants LiveKit reports.
 */
export function takesSeat(grant: RoleGrant): boolean {
  return grant.agent !== true && grant.recorder !== true;
}

/** The token's lifetime: the request's `ttl_seconds`, else TOKEN_EXPIRY_HOURS. */
function ttlSecondsOf(config: Config, request: ParticipantTokenRequest): number {
  return request.ttlSeconds ?? config.tokenTtlSeconds;
}

/** Signs a checked request at `now`, with the room's cap when it has one. */
function signChecked(
  config: Config,
  signer: TokenSigner,
  request: ParticipantTokenRequest,
  checked: CheckedRequest,
  maxParticipants: number | undefined,
  now: Date = new Date(),
): IssuedParticipantToken {
  const roomConfig = toRoomConfiguration(request.roomConfig);
  const signed = signer.sign(
    {
      identity: request.identity,
      name: request.name,
      video: grantFor(checked.roleGrant, checked.roomName),
      ttlSeconds: ttlSecondsOf(config, request),
      metadata: request.metadata,
      attributes: request.attributes,
      roomConfig: maxParticipants === undefined ? roomConfig : { ...roomConfig, maxParticipants },
    },
    now,
  );
  return { ...signed, roomName: checked.roomName, role: checked.role };
}

/**
 * Checks what the caller may ask for (room, role, agents) and signs the token, without
 * moderation. Shared by both token routes through the issuer below.
 */
export function issueParticipantToken(
  config: Config,
  signer: TokenSigner,
  caller: Caller,
  request: ParticipantTokenRequest,
): IssuedParticipantToken {
  return signChecked(config, signer, request, checkRequest(config, caller, request), undefined);
}

/** Where a token request came from, for the audit trail and the metrics. */
export interface IssueContext {
  /** The route asked (the metrics' label). */
  route: string;
  requestId: string | null;
  /**
   * The invite redeemed, for a guest: its role was checked when a moderator made it, so the
   * caller's own roles are not asked, and the audit trail names the invite as the actor.
   */
  inviteId?: string;
}

/** Issues participant tokens under one configuration, counting each one as it is signed. */
export interface ParticipantTokenIssuer {
  /**
   * Checks what `caller` may ask for, then moderation (bans, caps, seats), signs, and
   * records the token in the audit trail (never the token itself).
   */
  issue(
    caller: Caller,
    request: ParticipantTokenRequest,
    context: IssueContext,
  ): Promise<IssuedParticipantToken>;
}

/** The issuer of an app: `countIssued` hears of every token it signs, by route and role. */
export function createParticipantTokenIssuer(
  config: Config,
  signer: TokenSigner,
  countIssued: (route: string, role: string) => void,
  moderation: Moderation,
): ParticipantTokenIssuer {
  return {
    issue: async (caller, request, { route, requestId, inviteId }) => {
      const checked = checkRequest(config, caller, request, inviteId !== undefined);
      const now = new Date();
      const expiresAt = tokenExpiry(now, ttlSecondsOf(config, request)).toISOString();
      // Recorded in the admission's own step: every token handed out is in the audit trail.
      const admission = await moderation.admit({
        identity: request.identity,
        room: checked.roomName,
        takesSeat: takesSeat(checked.roleGrant),
        record: {
          event: 'token_issued',
          room: checked.roomName,
          identity: request.identity,
          actor: inviteId === undefined ? callerLabel(caller) : `invite:${inviteId}`,
          requestId,
          details: { role: checked.role, route, expires_at: expiresAt },
        },
      });
      const issued = signChecked(config, signer, request, checked, admission.maxParticipants, now);
      countIssued(route, issued.role);
      return {
        ...issued,
        auditFields: {
          event: 'token_issued',
          room: issued.roomName,
          identity: request.identity,
          role: issued.role,
          expires_at: expiresAt,
        },
      };
    },
  };
}
