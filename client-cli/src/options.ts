// The command line's option values: what commander hands the action, the defaults, the
// parsers that turn each raw value into a checked one (or a usage error, exit code 2), and the
// request to POST /token that they make. The server has the final say on every value; these
// catch typos before anything is sent.
import { InvalidArgumentError } from 'commander';
import type { CallerCredentials } from './caller-credentials';
import type { TokenRequestOptions } from './client';

/** The test user's email, asked for when no --email is given and no login is sent. */
export const DEFAULT_EMAIL = 'test.user@example.com';
/** The test user's display name, asked for when no --name is given and no login is sent. */
export const DEFAULT_NAME = 'Test User';

/**
 * The options as commander hands them to the action, after the parsers below ran. Absent
 * when not given: the request then leaves the field out and the server picks.
 */
export interface CliOptions {
  /** Absent when not given; see participantFields for what is sent then. */
  email?: string;
  /** Absent when not given; see participantFields for what is sent then. */
  name?: string;
  room?: string;
  userId?: string;
  server?: string;
  apiKey?: string;
  bearer?: string;
  /** An invite code, untrimmed and unchecked until the action (see environment.ts). */
  invite?: string;
  role?: string;
  metadata?: string;
  /** From the repeated --attribute, in the order given. */
  attribute?: ReadonlyMap<string, string>;
  agent?: string;
  agentMetadata?: string;
  ttl?: number;
  validate?: boolean;
  env?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** The participant's email and display name to send; absent ones are left out of the body. */
export interface ParticipantFields {
  email?: string;
  fullName?: string;
}

/**
 * The email and name to send, given whether the request carries a login (a bearer JWT) or an
 * invite. Without either, what is not given is the test user's, since the server needs an
 * identity and a name. With one, what is not given is left out: a server with AUTH_MODE=jwt
 * takes the identity and the name from the login, an invite gives them or a guest identity,
 * and a default full_name would hide the login's name.
 */
export function participantFields(
  options: Pick<CliOptions, 'email' | 'name'>,
  withLogin: boolean,
): ParticipantFields {
  const email = options.email ?? (withLogin ? undefined : DEFAULT_EMAIL);
  const fullName = options.name ?? (withLogin ? undefined : DEFAULT_NAME);
  return {
    ...(email === undefined ? {} : { email }),
    ...(fullName === undefined ? {} : { fullName }),
  };
}

/** What to ask `POST /token` for: the options given, and nothing for those left out. */
export function tokenRequestOf(
  options: CliOptions,
  serverUrl: string,
  credentials: CallerCredentials | undefined,
): TokenRequestOptions {
  return {
    serverUrl,
    // A login or an invite gives the identity and the name: no test user's in their way.
    ...participantFields(options, credentials?.kind === 'bearer' || credentials?.kind === 'invite'),
    ...(options.userId === undefined ? {} : { userId: options.userId }),
    ...(options.room === undefined ? {} : { roomName: options.room }),
    ...(options.role === undefined ? {} : { role: options.role }),
    ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
    ...(options.attribute === undefined
      ? {}
      : { attributes: Object.fromEntries(options.attribute) }),
    ...(options.agent === undefined
      ? {}
      : {
          agent: {
            agentName: options.agent,
            ...(options.agentMetadata === undefined ? {} : { metadata: options.agentMetadata }),
          },
        }),
    ...(options.ttl === undefined ? {} : { ttlSeconds: options.ttl }),
    ...(credentials === undefined ? {} : { credentials }),
  };
}

/** Deliberately loose: the server has the final say, this only catches typos before sending. */
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** --email: an address that looks like one, trimmed. */
export function parseEmail(value: string): string {
  const email = value.trim();
  if (!EMAIL_PATTERN.test(email)) {
    throw new InvalidArgumentError('Expected an email address like ada@example.com.');
  }
  return email;
}

/**
 * One --attribute added to those before it. The first `=` ends the key, so a value may hold
 * `=` or be empty; a key given twice is an error rather than a silent overwrite.
 */
export function collectAttribute(
  value: string,
  previous: ReadonlyMap<string, string> | undefined,
): Map<string, string> {
  const separator = value.indexOf('=');
  if (separator === -1) {
    throw new InvalidArgumentError('Expected key=value, like team=blue.');
  }
  const key = value.slice(0, separator);
  if (key === '') throw new InvalidArgumentError('Expected a key before "=", like team=blue.');
  if (previous?.has(key)) {
    throw new InvalidArgumentError(
      `The key ${JSON.stringify(key)} is given twice; give each attribute once.`,
    );
  }
  return new Map(previous).set(key, value.slice(separator + 1));
}

/** A positive whole number of seconds; the server checks the upper bound. */
export function parseTtlSeconds(value: string): number {
  const trimmed = value.trim();
  const seconds = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(seconds) || seconds < 1) {
    throw new InvalidArgumentError('Expected a positive whole number of seconds, like 600.');
  }
  return seconds;
}

/**
 * A parser for a free-text option that must not be blank, such as --room; `what` names the
 * value in the error, as in "Expected a room name".
 */
export function nonEmpty(what: string): (value: string) => string {
  return (value) => {
    const trimmed = value.trim();
    if (trimmed === '') throw new InvalidArgumentError(`Expected ${what}, got an empty value.`);
    return trimmed;
  };
}

/** Where a server URL was given, which is how the fix for a bad one is written. */
export type ServerUrlSource = '--server' | 'TOKEN_SERVER_URL';

/** The command whose server URL is read: its name, and the routes it appends itself. */
export interface ServerUrlCommand {
  /** As the message names it, such as `request-token`. */
  name: string;
  /** Paths that a base URL ending with is refused for, lower case. */
  routes: readonly string[];
}

/**
 * request-token and the token server's POST routes. request-token appends /token and /validate
 * to the base URL itself, so a URL copied from a curl line (…/token) would be asked for
 * …/token/token.
 */
export const REQUEST_TOKEN_URLS: ServerUrlCommand = {
  name: 'request-token',
  routes: ['/token', '/connection-details', '/validate'],
};

/** --server: see serverUrlParser. */
export function parseServerUrl(value: string): string {
  return serverUrlParser('--server')(value);
}

/**
 * A parser for the server URL from `source`: an http(s) base URL without trailing slashes, so
 * that `/token` can be appended. A path is kept, for a server a reverse proxy serves under a
 * prefix, unless it ends with one of `command`'s routes.
 */
export function serverUrlParser(
  source: ServerUrlSource,
  command: ServerUrlCommand = REQUEST_TOKEN_URLS,
): (value: string) => string {
  return (value) => {
    let url: URL;
    try {
      url = new URL(value.trim());
    } catch {
      throw new InvalidArgumentError(
        'Expected an http:// or https:// URL like http://localhost:8002.',
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InvalidArgumentError(
        'Expected an http:// or https:// URL like http://localhost:8002.',
      );
    }
    // fetch refuses URLs with credentials; say so now rather than as a network failure.
    if (url.username !== '' || url.password !== '') {
      throw new InvalidArgumentError('The URL must not contain a user name or password.');
    }
    if (url.search !== '' || url.hash !== '') {
      throw new InvalidArgumentError('The URL must not contain a query or fragment.');
    }
    // Past the checks above, the URL holds no secret: it may be shown.
    const path = url.pathname.replace(/\/+$/, '');
    // Case-insensitive, as Express routes.
    const route = command.routes.find((routePath) => path.toLowerCase().endsWith(routePath));
    if (route !== undefined) {
      const given = path.slice(-route.length);
      const base = `${url.origin}${path.slice(0, -route.length)}`;
      const fix = source === '--server' ? `--server ${base}` : `TOKEN_SERVER_URL=${base}`;
      throw new InvalidArgumentError(
        `The URL ends with ${given}, a route of the token server, which ${command.name} adds itself: drop ${given} and give the server's base URL, as in ${fix}.`,
      );
    }
    return url.href.replace(/\/+$/, '');
  };
}

/**
 * Commander quotes an unknown option whole: a mistyped `--apikey=<key>` would print the key.
 * Keeps the option's name and hides what follows `=`.
 */
export function hideUnknownOptionValue(text: string): string {
  // Greedy to the line's last quote: the value may hold quotes itself.
  return text.replace(/^(error: unknown option '[^'=]*=).*'/, "$1…'");
}

/**
 * Commander quotes a rejected --server whole, and one with user info, a query or a fragment
 * may carry a password or a key: such a value is hidden, as for TOKEN_SERVER_URL.
 */
export function hideServerUrlSecrets(text: string): string {
  // Greedy to the last "' is invalid.": the value may hold quotes itself.
  return text.replace(
    /^(error: option '--server <url>' argument ')([\s\S]*)(' is invalid\.)/,
    (whole, before: string, value: string, after: string) =>
      /[@?#]/.test(value) ? `${before}…${after}` : whole,
  );
}
