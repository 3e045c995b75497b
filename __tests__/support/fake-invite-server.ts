// A small in-memory stand-in for the token server's invites and waiting room, on a real
// loopback port, as /work/spec17 specifies them: the moderator routes (POST/GET /invites,
// DELETE /invites/{id}, GET /rooms/{room}/lobby and its admit and deny) and the guest's (POST
// /token with X-Invite-Code, GET /lobby/{id}). For the CLIs' tests, where the CLI is under
// test: it keeps a clock of its own, and the test says what each poll of a waiting guest sees,
// or lets it wait, held, for a moderator's decision: no timer anywhere.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { TOKEN } from './fake-fetch';
import { authenticate, type Override } from './fake-moderation-server';
import { answerJson, startHostileServer, type ReceivedRequest } from './hostile-server';

/** An invite as the fake keeps it: the code in clear, which the real server never keeps. */
export interface FakeInvite {
  id: string;
  /** Normalized: 16 letters, no dashes. */
  code: string;
  room: string;
  role: string;
  max_uses: number;
  uses: number;
  expires_at: string;
  identity: string | null;
  name: string | null;
  waiting_room: boolean;
  created_at: string;
  created_by: string;
}

/** What a test may set of a new invite; the rest are POST /invites's defaults. */
export type InviteFields = Partial<Omit<FakeInvite, 'id' | 'code' | 'room'>>;

/** Where a guest stands in the waiting room. */
export type FakeLobbyStatus = 'waiting' | 'admitted' | 'denied' | 'expired';

/** A guest in the waiting room, decided or not. */
export interface FakeLobbyEntry {
  id: string;
  pollToken: string;
  room: string;
  identity: string;
  name: string | null;
  role: string;
  since: string;
  expires_at: string;
  status: FakeLobbyStatus;
  /** Whether a poll took the connection details, which come once. */
  collected: boolean;
  /** How many polls with the right poll token it has had. */
  polls: number;
}

/**
 * What a poll of a waiting guest sees: the status to set before answering ('waiting' answers
 * at once), or undefined to hold the poll until a moderator decides.
 */
export type PollScript = (entry: FakeLobbyEntry, poll: number) => FakeLobbyStatus | undefined;

/** A running fake invite server. */
export interface FakeInviteServer {
  url: string;
  requests: ReceivedRequest[];
  invites: Map<string, FakeInvite>;
  lobby: Map<string, FakeLobbyEntry>;
  /** The fake's clock, in ms since the epoch; move it on to expire invites. */
  nowMs: number;
  /** INVITE_URL_BASE: when set, a new invite's answer has a url. */
  inviteUrlBase: string | undefined;
  /** What each poll of a waiting guest sees; by default, every poll is held. */
  onPoll: PollScript | undefined;
  /** Resolves with the entry once a poll is held, waiting for a decision. */
  nextHeldPoll(): Promise<FakeLobbyEntry>;
  /** Answers before the API when it returns true. */
  override: Override | undefined;
  /** Makes an invite to `room` as POST /invites would, and answers its code as shown. */
  addInvite(room: string, fields?: InviteFields): string;
  close(): Promise<void>;
}

/** The alphabet of invite codes: no i, l or o. */
const CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz';
/** The fake's clock at start: 2030-01-02T03:04:05Z, as the moderation fake's. */
const START_MS = Date.UTC(2030, 0, 2, 3, 4, 5);
/** How long a guest may wait, as LOBBY_WAIT_SECONDS's default. */
const LOBBY_WAIT_MS = 600_000;
/** The roles the fake knows. */
const ROLES: ReadonlySet<unknown> = new Set(['participant', 'viewer', 'host']);

function refuse(response: ServerResponse, status: number, code: string, message: string): void {
  answerJson(response, status, { error: { code, message } });
}

/** A code as the server hands it out: 4 groups of 4 letters. */
function newCode(): string {
  const letters = Array.from(
    { length: 16 },
    () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)] ?? 'a',
  ).join('');
  return letters.replace(/(.{4})(?!$)/g, '$1-');
}

/** As the server normalizes a code before hashing it: lower case, letters only. */
export function normalizeCode(code: string): string {
  return code.toLowerCase().replace(/[^a-z]/g, '');
}

const isWholeIn = (value: unknown, least: number, most: number): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= least && value <= most;

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeInviteServer(): Promise<FakeInviteServer> {
  const invites = new Map<string, FakeInvite>();
  const lobby = new Map<string, FakeLobbyEntry>();
  const held = new Map<string, ServerResponse[]>();
  const heldListeners: Array<(entry: FakeLobbyEntry) => void> = [];
  const fake: Partial<FakeInviteServer> = {
    invites,
    lobby,
    nowMs: START_MS,
    inviteUrlBase: undefined,
    onPoll: undefined,
    override: undefined,
  };
  const now = () => fake.nowMs ?? START_MS;
  const iso = (ms: number) => new Date(ms).toISOString();

  // As GET /invites lists an invite: without its code.
  const listed = (invite: FakeInvite) =>
    Object.fromEntries(Object.entries(invite).filter(([field]) => field !== 'code'));
  const pollAnswer = (entry: FakeLobbyEntry) => {
    const lobbyView = { id: entry.id, status: entry.status, expires_at: entry.expires_at };
    if (entry.status !== 'admitted') return { lobby: lobbyView };
    if (entry.collected) return { lobby: { ...lobbyView, collected: true } };
    entry.collected = true;
    return {
      lobby: lobbyView,
      connection_details: {
        server_url: 'wss://lk.test',
        participant_token: TOKEN,
        room_name: entry.room,
        participant_identity: entry.identity,
        ...(entry.name === null ? {} : { participant_name: entry.name }),
        role: entry.role,
        expires_at: iso(now() + 3_600_000),
      },
    };
  };
  const makeInvite = (room: string, fields: InviteFields = {}) => {
    const code = newCode();
    const invite: FakeInvite = {
      role: 'participant',
      max_uses: 1,
      uses: 0,
      expires_at: iso(now() + 86_400_000),
      identity: null,
      name: null,
      waiting_room: false,
      created_at: iso(now()),
      created_by: 'api-key:ops',
      ...fields,
      id: randomUUID(),
      code: normalizeCode(code),
      room,
    };
    invites.set(invite.id, invite);
    return { code, invite };
  };
  const decide = (entry: FakeLobbyEntry, status: FakeLobbyStatus) => {
    entry.status = status;
    for (const response of held.get(entry.id) ?? []) answerJson(response, 200, pollAnswer(entry));
    held.delete(entry.id);
  };

  const server = await startHostileServer((request, response) => {
    if (fake.override?.(request, response)) return;
    const url = new URL(request.path, 'http://fake');
    const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    let body: Record<string, unknown> = {};
    if (request.body !== '') {
      try {
        body = JSON.parse(request.body) as Record<string, unknown>;
      } catch {
        return refuse(response, 400, 'MALFORMED_JSON', 'The body is not JSON.');
      }
    }
    const [first, second, third, fourth, fifth] = segments;

    // The guest's routes: the invite code, or the poll token, is the credential.
    if (first === 'token' && segments.length === 1 && request.method === 'POST') {
      const given = request.headers['x-invite-code'] ?? body.invite_code;
      if (typeof given !== 'string') {
        return refuse(response, 401, 'AUTHENTICATION_REQUIRED', 'This route needs credentials.');
      }
      const invite = [...invites.values()].find(({ code }) => code === normalizeCode(given));
      if (invite === undefined) {
        return refuse(response, 404, 'INVITE_NOT_FOUND', 'No invite has this code.');
      }
      if (Date.parse(invite.expires_at) <= now()) {
        return refuse(response, 410, 'INVITE_EXPIRED', 'The invite has expired.');
      }
      if (invite.uses >= invite.max_uses) {
        return refuse(response, 410, 'INVITE_USED_UP', 'The invite has no uses left.');
      }
      if (body.room_name !== undefined && body.room_name !== invite.room) {
        return refuse(response, 403, 'INVITE_NOT_FOR_ROOM', 'The invite is for another room.');
      }
      invite.uses += 1;
      const identity = invite.identity ?? `guest-${randomBytes(6).toString('hex')}`;
      const name = typeof body.full_name === 'string' ? body.full_name : invite.name;
      if (invite.waiting_room) {
        const entry: FakeLobbyEntry = {
          id: randomUUID(),
          pollToken: randomBytes(32).toString('base64url'),
          room: invite.room,
          identity,
          name,
          role: invite.role,
          since: iso(now()),
          expires_at: iso(now() + LOBBY_WAIT_MS),
          status: 'waiting',
          collected: false,
          polls: 0,
        };
        lobby.set(entry.id, entry);
        return answerJson(response, 202, {
          lobby: {
            id: entry.id,
            poll_token: entry.pollToken,
            status: 'waiting',
            expires_at: entry.expires_at,
          },
        });
      }
      return answerJson(response, 200, {
        token: TOKEN,
        room_name: invite.room,
        identity,
        role: invite.role,
        expires_at: iso(now() + 3_600_000),
        server_url: 'wss://lk.test',
      });
    }
    if (first === 'lobby' && second !== undefined && segments.length === 2) {
      if (request.method !== 'GET') return refuse(response, 404, 'NOT_FOUND', 'No such route.');
      const entry = lobby.get(second);
      if (entry === undefined) {
        return refuse(response, 404, 'LOBBY_ENTRY_NOT_FOUND', 'No such waiting room entry.');
      }
      if (request.headers.authorization !== `Bearer ${entry.pollToken}`) {
        return refuse(response, 401, 'INVALID_POLL_TOKEN', 'The poll token is not valid.');
      }
      entry.polls += 1;
      if (entry.status === 'waiting') {
        const next = fake.onPoll?.(entry, entry.polls);
        if (next === undefined && Number(url.searchParams.get('wait') ?? '0') > 0) {
          held.set(entry.id, [...(held.get(entry.id) ?? []), response]);
          for (const listener of heldListeners.splice(0)) listener(entry);
          return;
        }
        if (next !== undefined && next !== 'waiting') decide(entry, next);
      }
      return answerJson(response, 200, pollAnswer(entry));
    }

    // The moderator routes.
    const actor = authenticate(request.headers, response);
    if (actor === undefined) return;
    if (first === 'invites' && segments.length === 1 && request.method === 'POST') {
      const role = body.role ?? 'participant';
      const maxUses = body.max_uses ?? 1;
      const seconds = body.expires_in_seconds ?? 86_400;
      const details = [
        ...(typeof body.room === 'string' && body.room !== ''
          ? []
          : [{ field: 'room', message: 'is required' }]),
        ...(ROLES.has(role) ? [] : [{ field: 'role', message: 'is not a role' }]),
        ...(isWholeIn(maxUses, 1, 10_000)
          ? []
          : [{ field: 'max_uses', message: 'must be from 1 to 10000' }]),
        ...(isWholeIn(seconds, 60, 2_592_000)
          ? []
          : [{ field: 'expires_in_seconds', message: 'must be from 60 to 2592000' }]),
      ];
      if (details.length > 0) {
        return answerJson(response, 400, {
          error: { code: 'VALIDATION_ERROR', message: 'The request is not valid.', details },
        });
      }
      if (role === 'host' && !actor.startsWith('api-key:')) {
        return refuse(response, 403, 'ROLE_NOT_ALLOWED', 'You may not invite to this role.');
      }
      const { code, invite } = makeInvite(body.room as string, {
        role: role as string,
        max_uses: maxUses as number,
        expires_at: iso(now() + (seconds as number) * 1000),
        identity: typeof body.identity === 'string' ? body.identity : null,
        name: typeof body.name === 'string' ? body.name : null,
        waiting_room: body.waiting_room === true,
        created_by: actor,
      });
      const link =
        fake.inviteUrlBase === undefined ? {} : { url: `${fake.inviteUrlBase}?code=${code}` };
      return answerJson(response, 201, { ...listed(invite), code, ...link });
    }
    if (first === 'invites' && segments.length === 1 && request.method === 'GET') {
      const room = url.searchParams.get('room');
      if (room === null) {
        return answerJson(response, 400, {
          error: {
            code: 'VALIDATION_ERROR',
            message: 'The request is not valid.',
            details: [{ field: 'room', message: 'is required' }],
          },
        });
      }
      return answerJson(response, 200, {
        invites: [...invites.values()].filter((invite) => invite.room === room).map(listed),
      });
    }
    if (first === 'invites' && second !== undefined && segments.length === 2) {
      if (request.method !== 'DELETE') return refuse(response, 404, 'NOT_FOUND', 'No such route.');
      if (!invites.delete(second)) {
        return refuse(response, 404, 'INVITE_NOT_FOUND', 'No invite has this id.');
      }
      return void response.writeHead(204).end();
    }
    if (first === 'rooms' && second !== undefined && third === 'lobby') {
      if (segments.length === 3 && request.method === 'GET') {
        return answerJson(response, 200, {
          waiting: [...lobby.values()]
            .filter((entry) => entry.room === second && entry.status === 'waiting')
            .map(({ id, identity, name, role, since, expires_at }) => ({
              id,
              identity,
              name,
              role,
              since,
              expires_at,
            })),
        });
      }
      const entry = fourth === undefined ? undefined : lobby.get(fourth);
      if (
        segments.length === 5 &&
        request.method === 'POST' &&
        (fifth === 'admit' || fifth === 'deny')
      ) {
        if (entry === undefined || entry.room !== second || entry.status !== 'waiting') {
          return refuse(response, 404, 'LOBBY_ENTRY_NOT_FOUND', 'No such waiting room entry.');
        }
        decide(entry, fifth === 'admit' ? 'admitted' : 'denied');
        const { id, status, identity, name, role, since } = entry;
        return answerJson(response, 200, {
          id,
          status,
          identity,
          name,
          role,
          since,
          decided_at: iso(now()),
          decided_by: actor,
        });
      }
    }
    refuse(response, 404, 'NOT_FOUND', 'No such route.');
  });
  return Object.assign(fake, {
    url: server.url,
    requests: server.requests,
    nextHeldPoll: () => new Promise<FakeLobbyEntry>((resolve) => heldListeners.push(resolve)),
    addInvite: (room: string, fields?: InviteFields) => makeInvite(room, fields).code,
    close: server.close,
  }) as FakeInviteServer;
}
