// The roles section: which roles exist (built in, plus ROLES_FILE), which any caller may
// ask for (PUBLIC_ROLES), and the role of a request that names none (DEFAULT_ROLE).
import { BUILT_IN_ROLES, DEFAULT_ROLE, parseRolesFile, type RoleGrant } from '../roles';
import type { AuthMode } from './auth';
import {
  commaList,
  isQuotable,
  read,
  readNamedFile,
  sectionVariables,
  type ParseContext,
} from './env';
import { MAX_ROLES_FILE_BYTES } from './files';

export const ROLES_VARIABLES = sectionVariables('roles', [
  { name: 'ROLES_FILE', description: 'A JSON file of role name to LiveKit video-grant fields' },
  {
    name: 'PUBLIC_ROLES',
    description: 'Roles any caller may ask for (default participant,viewer)',
  },
  { name: 'DEFAULT_ROLE', description: 'The role of a request that names none (participant)' },
]);

/**
 * The characters of a role name: a role that does not exist is quoted only when it is short
 * and made of these (isQuotable), since PUBLIC_ROLES or DEFAULT_ROLE may hold a pasted secret.
 */
const ROLE_CHARACTERS = /^[\w-]+$/;

/** The roles a request may name, and who may name which. */
export interface RolesConfig {
  /** Every role a request may name, role name to its grant: built in and from ROLES_FILE. */
  roles: ReadonlyMap<string, RoleGrant>;
  /** Roles any caller may ask for, anonymous ones included. */
  publicRoles: ReadonlySet<string>;
  /** The role of a request that names none. */
  defaultRole: string;
}

/** Reads the roles section, and the ROLES_FILE it names. */
export function parseRoles(context: ParseContext): RolesConfig {
  const { env, problems } = context;
  const rolesFile = read(env, 'ROLES_FILE');
  let roles: ReadonlyMap<string, RoleGrant> = BUILT_IN_ROLES;
  if (rolesFile !== undefined) {
    const text = readNamedFile(context, 'ROLES_FILE', rolesFile, MAX_ROLES_FILE_BYTES);
    if (text !== undefined) roles = parseRolesFile(text, problems);
  }
  const rawPublicRoles = read(env, 'PUBLIC_ROLES') ?? 'participant,viewer';
  // `none`: anonymous callers get no token at all, logins only the roles their claim lists.
  const publicRoles = rawPublicRoles === 'none' ? [] : commaList(rawPublicRoles);
  const unknownPublicRoles = publicRoles.flatMap((name, index) =>
    roles.has(name)
      ? []
      : [isQuotable(name, ROLE_CHARACTERS) ? name : `entry ${index + 1} (not shown)`],
  );
  if (unknownPublicRoles.length > 0) {
    problems.push(
      `PUBLIC_ROLES names roles that are neither built in nor in ROLES_FILE: ${unknownPublicRoles.join(', ')}`,
    );
  }
  const defaultRole = read(env, 'DEFAULT_ROLE') ?? DEFAULT_ROLE;
  if (!roles.has(defaultRole)) {
    problems.push(
      isQuotable(defaultRole, ROLE_CHARACTERS)
        ? `DEFAULT_ROLE "${defaultRole}" is neither built in nor in ROLES_FILE`
        : 'DEFAULT_ROLE names a role neither built in nor in ROLES_FILE (the value is not shown)',
    );
  }
  return { roles, publicRoles: new Set(publicRoles), defaultRole };
}

/** Start-up warnings about roles: a default role most callers may not have. */
export function rolesWarnings(config: RolesConfig, authMode: AuthMode): string[] {
  // api-key callers may have any role, so only the other modes can trip over it.
  if (authMode !== 'api-key' && !config.publicRoles.has(config.defaultRole)) {
    return [
      `DEFAULT_ROLE ${config.defaultRole} is not in PUBLIC_ROLES: callers who name no role get 403 unless their login grants it.`,
    ];
  }
  return [];
}

/** The roles as printed at start-up. */
export function describeRoles(config: RolesConfig): Record<string, string | number> {
  return {
    roles: [...config.roles.keys()].join(','),
    public_roles: [...config.publicRoles].join(','),
    default_role: config.defaultRole,
  };
}
