// Roles: the built-in ones and what each grants, and reading ROLES_FILE, which adds or
// redefines roles. Who may ask for which role is decided where tokens are issued.
import { describeJsonError } from './config/json-position';
import type { TrackSourceName, VideoGrant } from './grants';

/** What a role may do in a room: a video grant without the room, which each request names. */
export type RoleGrant = Omit<VideoGrant, 'room'>;

const PARTICIPANT: RoleGrant = {
  roomJoin: true,
  canPublish: true,
  canSubscribe: true,
  canUpdateOwnMetadata: true,
};

/** The roles every server knows; ROLES_FILE may add more or redefine these. */
export const BUILT_IN_ROLES: ReadonlyMap<string, RoleGrant> = new Map([
  ['participant', PARTICIPANT],
  // Subscribe only: LiveKit lets a participant publish data unless told otherwise.
  ['viewer', { roomJoin: true, canSubscribe: true, canPublish: false, canPublishData: false }],
  ['host', { ...PARTICIPANT, roomAdmin: true, roomRecord: true }],
]);

/** The role of a request that names none, unless DEFAULT_ROLE says otherwise. */
export const DEFAULT_ROLE = 'participant';

/** Role names: short, and safe in a URL, a log line or a claim. */
export const ROLE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The grant a role gets in one room. Every role joins its room. */
export function grantFor(role: RoleGrant, room: string): VideoGrant {
  return { ...role, roomJoin: true, room };
}

type FieldCheck = (value: unknown) => string | undefined;

const BOOLEAN: FieldCheck = (value) =>
  typeof value === 'boolean' ? undefined : 'must be true or false';

const TRACK_SOURCES: ReadonlySet<TrackSourceName> = new Set<TrackSourceName>([
  'camera',
  'microphone',
  'screen_share',
  'screen_share_audio',
]);

const SOURCE_LIST: FieldCheck = (value) =>
  Array.isArray(value) &&
  value.every((source) => TRACK_SOURCES.has(source as TrackSourceName)) &&
  new Set(value).size === value.length
    ? undefined
    : `must be a list of distinct track sources (${[...TRACK_SOURCES].join(', ')})`;

const ROOM_NAME: FieldCheck = (value) =>
  typeof value === 'string' && value.trim() !== '' ? undefined : 'must be a room name';

/** Every video-grant field LiveKit reads, with the check its value must pass. */
const GRANT_FIELDS: Readonly<Record<keyof RoleGrant, FieldCheck>> = {
  roomCreate: BOOLEAN,
  roomJoin: (value) => (value === true ? undefined : 'must be true: every role joins its room'),
  roomList: BOOLEAN,
  roomRecord: BOOLEAN,
  roomAdmin: BOOLEAN,
  canPublish: BOOLEAN,
  canSubscribe: BOOLEAN,
  canPublishData: BOOLEAN,
  canUpdateOwnMetadata: BOOLEAN,
  hidden: BOOLEAN,
  recorder: BOOLEAN,
  ingressAdmin: BOOLEAN,
  canPublishSources: SOURCE_LIST,
  agent: BOOLEAN,
  canSubscribeMetrics: BOOLEAN,
  canManageAgentSession: BOOLEAN,
  destinationRoom: ROOM_NAME,
};

// A ROLES_FILE named by mistake may hold a secret, so its problems never show a value, nor a
// name that could be one: names are quoted only up to this length, and no secret is that
// short (LiveKit's, the API keys and the login secret are 32 characters or more). Every grant
// field is (at most 21), and so is a typo of one. Usable role names are always shown: the
// start-up report shows them too.
const MAX_QUOTED_NAME_LENGTH = 24;

/** A name from the file, quoted as JSON (it could hold a line break) when short enough. */
function quotedName(name: string, what: string): string {
  return name.length <= MAX_QUOTED_NAME_LENGTH
    ? JSON.stringify(name)
    : `a ${what} of ${name.length} characters (not shown)`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks one role's grant fields, naming each problem; answers the grant when it is sound. */
function parseRoleGrant(role: string, grant: unknown, problems: string[]): RoleGrant | undefined {
  if (!isPlainObject(grant)) {
    problems.push(`ROLES_FILE: role "${role}" must be an object of video-grant fields`);
    return undefined;
  }
  const before = problems.length;
  for (const [field, value] of Object.entries(grant)) {
    if (field === 'room') {
      problems.push(
        `ROLES_FILE: role "${role}" sets room, which each request chooses; leave it out`,
      );
    } else if (Object.hasOwn(GRANT_FIELDS, field)) {
      const problem = GRANT_FIELDS[field as keyof RoleGrant](value);
      if (problem !== undefined) problems.push(`ROLES_FILE: role "${role}": ${field} ${problem}`);
    } else {
      problems.push(
        `ROLES_FILE: role "${role}" has ${quotedName(field, 'field')}, which is not a LiveKit video grant`,
      );
    }
  }
  return problems.length === before ? (grant as RoleGrant) : undefined;
}

/**
 * Reads a ROLES_FILE: a JSON object of role name to video-grant fields. Answers the built-in
 * roles with the file's added or redefined, and reports every problem, so that a typo in a
 * grant (which LiveKit would silently ignore) stops the server instead.
 */
export function parseRolesFile(text: string, problems: string[]): Map<string, RoleGrant> {
  const roles = new Map(BUILT_IN_ROLES);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Never JSON.parse's message: it quotes some of the text.
    problems.push(`ROLES_FILE is not valid JSON (${describeJsonError(text)})`);
    return roles;
  }
  if (!isPlainObject(parsed)) {
    problems.push('ROLES_FILE must hold a JSON object of role name to video-grant fields');
    return roles;
  }
  for (const [role, grant] of Object.entries(parsed)) {
    if (!ROLE_NAME_PATTERN.test(role)) {
      problems.push(
        `ROLES_FILE: ${quotedName(role, 'name')} is not a usable role name (letters, digits, _ and -, up to 64)`,
      );
      continue;
    }
    const parsedGrant = parseRoleGrant(role, grant, problems);
    if (parsedGrant !== undefined) roles.set(role, parsedGrant);
  }
  return roles;
}
