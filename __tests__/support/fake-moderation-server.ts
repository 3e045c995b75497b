// A small in-memory stand-in for the token server's moderation API (bans, rooms, audit, paged
// as the server pages them), on a real loopback port, as the API is specified: for
// token-admin's tests, where the CLI is what is under test. It authenticates as the server
// does (an API key, or a bearer that is a moderator's or not), records what it received, and
// can be told to answer otherwise.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AuditEntryView, BanView, RoomView } from '../../client-cli/src/admin-responses';
import { runAdmin } from '../../client-cli/src/admin-program';
import type { Env } from '../../client-cli/src/environment';
import { API_KEY, SESSION_JWT } from './fake-fetch';
import { answerJson, startHostileServer, type ReceivedRequest } from './hostile-server';

/** A bearer the fake takes as a login without roomAdmin: refused with NOT_A_MODERATOR. */
export const VIEWER_JWT =
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2aWN0b3IifQ.dmlld2VyLXNpZ25hdHVyZS1mb3ItdmljdG9y';

/** How the fake answers one request instead of the API, or undefined to let the API answer. */
export type Override = (request: ReceivedRequest, response: ServerResponse) => boolean;

/** A running fake moderation server. */
export interface FakeModerationServer {
  url: string;
  requests: ReceivedRequest[];
  bans: Map<string, BanView>;
  audit: AuditEntryView[];
  /** Answers before the API when it returns true. */
  override: Override | undefined;
  close(): Promise<void>;
}

function error(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  details?: unknown,
): true {
  answerJson(response, status, {
    error: { code, message, ...(details === undefined ? {} : { details }) },
  });
  return true;
}

/** The caller label of a moderator, undefined after answering a refusal. */
export function authenticate(
  headers: IncomingHttpHeaders,
  response: ServerResponse,
): string | undefined {
  const key = headers['x-api-key'];
  const authorization = headers.authorization;
  if (typeof key === 'string') {
    if (key === API_KEY) return 'api-key:ops';
    error(response, 401, 'INVALID_CREDENTIALS', 'The API key is not valid.');
    return undefined;
  }
  if (authorization === `Bearer ${SESSION_JWT}`) return 'login:ada-1815';
  if (authorization === `Bearer ${VIEWER_JWT}`) {
    error(response, 403, 'NOT_A_MODERATOR', 'Only moderators may do this.');
    return undefined;
  }
  if (authorization !== undefined) {
    error(response, 401, 'INVALID_CREDENTIALS', 'The bearer token is not valid.');
    return undefined;
  }
  error(response, 401, 'AUTHENTICATION_REQUIRED', 'This route needs credentials.');
  return undefined;
}

const isWhole = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value);

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeModerationServer(): Promise<FakeModerationServer> {
  const bans = new Map<string, BanView>();
  const audit: AuditEntryView[] = [];
  const seats = new Map<string, number | null>();
  const fake: Partial<FakeModerationServer> = { bans, audit, override: undefined };
  const record = (
    event: string,
    room: string | null,
    identity: string | null,
    actor: string,
    details: Record<string, unknown>,
  ) =>
    audit.push({
      id: String(audit.length + 1).padStart(8, '0'),
      at: new Date(Date.UTC(2030, 0, 2, 3, 4, audit.length)).toISOString(),
      event,
      room,
      identity,
      actor,
      request_id: randomUUID(),
      details,
    });
  const roomView = (room: string): RoomView => ({
    room,
    max_participants: seats.get(room) ?? null,
    participants: room === 'demo' ? ['ada', 'grace'] : [],
    seats_held: room === 'demo' ? ['linus'] : [],
    seats_used: room === 'demo' ? 3 : 0,
    last_heard_at: room === 'demo' ? '2030-01-02T03:04:05.000Z' : null,
  });

  const server = await startHostileServer((request, response) => {
    if (fake.override?.(request, response)) return;
    const url = new URL(request.path, 'http://fake');
    const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const actor = authenticate(request.headers, response);
    if (actor === undefined) return;
    let body: Record<string, unknown> = {};
    if (request.body !== '') {
      try {
        body = JSON.parse(request.body) as Record<string, unknown>;
      } catch {
        error(response, 400, 'MALFORMED_JSON', 'The body is not JSON.');
        return;
      }
    }
    const [first, second, third] = segments;
    if (first === 'bans' && segments.length === 1 && request.method === 'POST') {
      const details: Array<{ field: string; message: string }> = [];
      if (typeof body.identity !== 'string' || body.identity === '')
        details.push({ field: 'identity', message: 'is required' });
      if (body.room !== undefined && typeof body.room !== 'string')
        details.push({ field: 'room', message: 'must be a string' });
      if (body.reason !== undefined && typeof body.reason !== 'string')
        details.push({ field: 'reason', message: 'must be a string' });
      if (
        body.duration_seconds !== undefined &&
        !(isWhole(body.duration_seconds) && body.duration_seconds > 0)
      )
        details.push({ field: 'duration_seconds', message: 'must be a positive integer' });
      if (details.length > 0)
        return void error(response, 400, 'VALIDATION_ERROR', 'The request is not valid.', details);
      const createdAt = new Date(Date.UTC(2030, 0, 2, 3, 4, 5));
      const ban: BanView = {
        id: randomUUID(),
        identity: body.identity as string,
        room: typeof body.room === 'string' ? body.room : null,
        reason: typeof body.reason === 'string' ? body.reason : null,
        created_at: createdAt.toISOString(),
        expires_at: isWhole(body.duration_seconds)
          ? new Date(createdAt.getTime() + body.duration_seconds * 1000).toISOString()
          : null,
        created_by: actor,
      };
      bans.set(ban.id, ban);
      record('ban_added', ban.room, ban.identity, actor, { reason: ban.reason });
      return answerJson(response, 201, ban);
    }
    if (first === 'bans' && segments.length === 1 && request.method === 'GET') {
      const limit = Number(url.searchParams.get('limit') ?? '100');
      if (!isWhole(limit) || limit < 1 || limit > 1000)
        return void error(response, 400, 'VALIDATION_ERROR', 'The request is not valid.', [
          { field: 'limit', message: 'must be from 1 to 1000' },
        ]);
      const room = url.searchParams.get('room');
      const identity = url.searchParams.get('identity');
      // The cursor is a ban's id; bans are listed in the order they were added.
      const listed = [...bans.values()];
      const after = url.searchParams.get('after');
      const start = after === null ? 0 : listed.findIndex((ban) => ban.id === after) + 1;
      const matching = listed
        .slice(start)
        .filter(
          (ban) =>
            (room === null || ban.room === room) &&
            (identity === null || ban.identity === identity),
        );
      const page = matching.slice(0, limit);
      const last = page.at(-1);
      return answerJson(response, 200, {
        bans: page,
        ...(matching.length > limit && last !== undefined ? { next: last.id } : {}),
      });
    }
    if (
      first === 'bans' &&
      second !== undefined &&
      segments.length === 2 &&
      request.method === 'DELETE'
    ) {
      const ban = bans.get(second);
      if (ban === undefined)
        return void error(response, 404, 'BAN_NOT_FOUND', 'No ban has this id.');
      bans.delete(second);
      record('ban_removed', ban.room, ban.identity, actor, {});
      return void response.writeHead(204).end();
    }
    if (
      first === 'rooms' &&
      second !== undefined &&
      segments.length === 2 &&
      request.method === 'PUT'
    ) {
      const limit = body.max_participants;
      if (!(limit === null || (isWhole(limit) && limit >= 1)))
        return void error(response, 400, 'VALIDATION_ERROR', 'The request is not valid.', [
          { field: 'max_participants', message: 'must be a positive integer or null' },
        ]);
      seats.set(second, limit);
      record('room_limit_set', second, null, actor, { max_participants: limit });
      return answerJson(response, 200, roomView(second));
    }
    if (
      first === 'rooms' &&
      second !== undefined &&
      segments.length === 2 &&
      request.method === 'GET'
    ) {
      return answerJson(response, 200, roomView(second));
    }
    if (
      first === 'rooms' &&
      second !== undefined &&
      third === 'audit' &&
      segments.length === 3 &&
      request.method === 'GET'
    ) {
      const limit = Number(url.searchParams.get('limit') ?? '100');
      if (!isWhole(limit) || limit < 1 || limit > 1000)
        return void error(response, 400, 'VALIDATION_ERROR', 'The request is not valid.', [
          { field: 'limit', message: 'must be from 1 to 1000' },
        ]);
      const since = url.searchParams.get('since');
      const until = url.searchParams.get('until');
      const identity = url.searchParams.get('identity');
      const after = url.searchParams.get('after');
      const matching = audit.filter(
        (entry) =>
          entry.room === second &&
          (since === null || entry.at >= new Date(since).toISOString()) &&
          (until === null || entry.at < new Date(until).toISOString()) &&
          (identity === null || entry.identity === identity) &&
          (after === null || entry.id > after),
      );
      const entries = matching.slice(0, limit);
      const last = entries.at(-1);
      return answerJson(response, 200, {
        entries,
        ...(matching.length > limit && last !== undefined ? { next: last.id } : {}),
      });
    }
    error(response, 404, 'NOT_FOUND', 'No such route.');
  });
  return Object.assign(fake, {
    url: server.url,
    requests: server.requests,
    close: server.close,
  }) as FakeModerationServer;
}

/** How an in-process run of token-admin ended and what it printed. */
export interface AdminRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs token-admin in-process with the real global fetch (or `fetch`) and captured output. */
export async function runAdminCli(
  args: string[],
  env: Env = {},
  fetchImpl: (url: string, init: RequestInit) => Promise<Response> = (url, init) =>
    fetch(url, init),
): Promise<AdminRun> {
  let stdout = '';
  let stderr = '';
  const exitCode = await runAdmin(['node', 'token-admin', ...args], {
    fetch: fetchImpl,
    env,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { exitCode, stdout, stderr };
}
