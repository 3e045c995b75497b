// The settings the CLI takes from its environment: `.env` in the working directory overlaid
// by the real environment, the token server's URL, and the caller's credentials from the
// flags or the variables. Bad values become a UsageError that names where they came from;
// a secret's value is never part of the message.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { CallerCredentials } from './caller-credentials';
import { REQUEST_TOKEN_URLS, serverUrlParser, type ServerUrlCommand } from './options';

/** Environment variables, as `process.env` holds them. */
export type Env = Record<string, string | undefined>;

/** The port the token server listens on when TOKEN_SERVER_PORT is unset, as the server does. */
export const DEFAULT_SERVER_PORT = 8002;

/**
 * The environment or a credential flag holds a value the CLI cannot use; nothing was sent.
 * The program prints it as a usage error (exit code 2) with `code` as commander's code.
 */
export class UsageError extends Error {
  constructor(
    message: string,
    /** A stable code in commander's style, such as `request-token.invalidCredentials`. */
    readonly code = 'request-token.invalidEnvironment',
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The variables in `directory/.env`, if that file exists, overlaid by `processEnv`: the
 * real environment wins, as with the server. `processEnv` is not modified.
 */
export function readEnvironment(directory: string, processEnv: Env): Env {
  let fileEnv: Env = {};
  try {
    fileEnv = parseDotenv(readFileSync(join(directory, '.env')));
  } catch (error) {
    // Duck-typed: fs errors come from Node's realm, which instanceof Error misses under jest.
    const code =
      typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    if (code !== 'ENOENT') throw error;
  }
  return { ...fileEnv, ...processEnv };
}

/**
 * The token server to ask when no --server is given: TOKEN_SERVER_URL, else
 * http://localhost:TOKEN_SERVER_PORT, else http://localhost:8002. Throws UsageError for a
 * variable that is set but unusable, rather than falling back silently; `command` says which
 * routes a TOKEN_SERVER_URL must not end with.
 */
export function defaultServerUrl(env: Env, command: ServerUrlCommand = REQUEST_TOKEN_URLS): string {
  const url = read(env, 'TOKEN_SERVER_URL');
  if (url !== undefined) {
    try {
      return serverUrlParser('TOKEN_SERVER_URL', command)(url);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // A URL with user info, a query or a fragment may carry a password or a key: not echoed.
      const shown = /[@?#]/.test(url) ? '' : ` "${url}"`;
      throw new UsageError(`TOKEN_SERVER_URL${shown} is invalid. ${reason}`);
    }
  }
  const port = read(env, 'TOKEN_SERVER_PORT');
  if (port === undefined) return `http://localhost:${DEFAULT_SERVER_PORT}`;
  const portNumber = Number(port);
  if (!/^\d+$/.test(port) || portNumber < 1 || portNumber > 65535) {
    // 0 is valid for the server (any free port) but tells a client nothing.
    throw new UsageError(
      `TOKEN_SERVER_PORT must be a port from 1 to 65535 (got "${port}"); pass --server or set TOKEN_SERVER_URL.`,
    );
  }
  return `http://localhost:${portNumber}`;
}

/** The credential flags as given on the command line. */
export interface CredentialFlags {
  /** --api-key, untrimmed. */
  apiKey?: string;
  /** --bearer, untrimmed. */
  bearer?: string;
  /** request-token's --invite, untrimmed. */
  invite?: string;
}

/**
 * The credentials to send: --invite, --api-key or --bearer, else TOKEN_SERVER_API_KEY or
 * TOKEN_SERVER_BEARER; none when all are unset. A flag replaces both variables, so that a
 * key in .env does not stand in the way of a --bearer given for one call, nor goes along with
 * a guest's invite code. Throws UsageError naming where a bad value came from, but never
 * showing it.
 */
export function resolveCallerCredentials(
  flags: CredentialFlags,
  env: Env,
): CallerCredentials | undefined {
  // Two flags together are commander's conflictingOption error, raised before the action.
  if (flags.invite !== undefined) return inviteCredentials(flags.invite);
  if (flags.apiKey !== undefined) return apiKeyCredentials(flags.apiKey, '--api-key');
  if (flags.bearer !== undefined) return bearerCredentials(flags.bearer, '--bearer');
  const apiKey = read(env, 'TOKEN_SERVER_API_KEY');
  const bearer = read(env, 'TOKEN_SERVER_BEARER');
  if (apiKey !== undefined && bearer !== undefined) {
    throw new UsageError(
      'TOKEN_SERVER_API_KEY and TOKEN_SERVER_BEARER are both set (in the environment or .env); unset one, or choose with --api-key or --bearer.',
      'request-token.conflictingCredentials',
    );
  }
  if (apiKey !== undefined) return apiKeyCredentials(apiKey, 'TOKEN_SERVER_API_KEY');
  if (bearer !== undefined) return bearerCredentials(bearer, 'TOKEN_SERVER_BEARER');
  return undefined;
}

/** Reads a variable, treating empty or blank values as unset, as the server does. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function apiKeyCredentials(value: string, source: string): CallerCredentials {
  const apiKey = value.trim();
  if (apiKey === '') throw invalidCredentials(`${source} is empty.`);
  // Header values cannot hold line breaks or other control characters; fetch would refuse
  // them with an error that quotes the value.
  if (!/^[\x20-\x7e]+$/.test(apiKey)) {
    throw invalidCredentials(
      `the API key from ${source} can hold only printable ASCII characters (it is sent as a header); the value is not shown.`,
    );
  }
  return { kind: 'api-key', apiKey };
}

function bearerCredentials(value: string, source: string): CallerCredentials {
  const jwt = value.trim();
  if (jwt === '') throw invalidCredentials(`${source} is empty.`);
  if (!/^[\x21-\x7e]+$/.test(jwt)) {
    throw invalidCredentials(
      `the JWT from ${source} can hold only printable ASCII characters without spaces; give the token alone, without "Bearer ". The value is not shown.`,
    );
  }
  return { kind: 'bearer', jwt };
}

function inviteCredentials(value: string): CallerCredentials {
  const code = value.trim();
  if (code === '') throw invalidCredentials('--invite is empty.');
  // Sent as a header, as the API key is; the server drops all but the letters itself.
  if (!/^[\x20-\x7e]+$/.test(code)) {
    throw invalidCredentials(
      'the invite code from --invite can hold only printable ASCII characters (letters, dashes and spaces, as in kfmw-ptra-hxce-bnqd); the value is not shown.',
    );
  }
  return { kind: 'invite', code };
}

function invalidCredentials(message: string): UsageError {
  return new UsageError(message, 'request-token.invalidCredentials');
}
