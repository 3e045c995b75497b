// A fake `fetch` that records what the CLI sends and answers as a test says, and `runCli`,
// which runs the whole program in-process with it: the CLI's tests without a network.
import type { Fetch } from '../../client-cli/src/client';
import type { Env } from '../../client-cli/src/environment';
import { run, type ProgramDeps } from '../../client-cli/src/program';
import type { TokenResponse, ValidationResponse } from '../../client-cli/src/responses';

/** The token the fake server issues: shaped like a JWT, as a real token is. */
export const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0LnVzZXJAZXhhbXBsZS5jb20ifQ.c2lnbmF0dXJl';

/** Caller credentials: distinctive, so that any echo of them in the output is caught. */
export const API_KEY = 'tsk_live_4f9c2b7e81d34a6f9b0c5d2e7a1f8c3b';
export const OTHER_API_KEY = 'tsk_live_0a1b2c3d4e5f60718293a4b5c6d7e8f9';
export const SESSION_JWT =
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEtMTgxNSJ9.c2Vzc2lvbi1zaWduYXR1cmUtZm9yLWFkYQ';

/** The fake server's answer to POST /token unless a test says otherwise. */
export const TOKEN_ANSWER: TokenResponse = {
  token: TOKEN,
  room_name: 'lobby',
  identity: 'test.user@example.com',
  expires_at: '2030-01-02T03:04:05.000Z',
};

/** What /validate answers for a token with metadata, attributes and an agent. */
export const VALIDATION_ANSWER: ValidationResponse = {
  valid: true,
  identity: 'test.user@example.com',
  name: 'Test User',
  room: 'lobby',
  expires_at: '2030-01-02T03:04:05.000Z',
  grants: {
    room: 'lobby',
    roomJoin: true,
    canSubscribe: true,
    canPublish: false,
    canPublishData: false,
  },
  metadata: '{"lang":"en"}',
  attributes: { team: 'blue' },
  room_config: { agents: [{ agentName: 'support-bot' }] },
};

/** A JSON answer with `status`. */
export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

/** The token server's error answer, with extra headers such as Retry-After. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ error: { code, message } }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** One request the fake fetch received. */
export interface SentRequest {
  url: string;
  init: RequestInit;
  body: unknown;
}

/** How the fake fetch answers a request. */
export type Answer = (request: SentRequest) => Promise<Response> | Response;

/** A fetch that records what it is asked and answers with `answer(request)`. */
export function fakeFetch(answer: Answer = () => jsonResponse(200, TOKEN_ANSWER)): {
  fetch: Fetch;
  requests: SentRequest[];
} {
  const requests: SentRequest[] = [];
  const fetch: Fetch = async (url, init) => {
    const request = { url, init, body: JSON.parse(String(init.body)) as unknown };
    requests.push(request);
    return answer(request);
  };
  return { fetch, requests };
}

/** Answers by the URL's last path segment, as the token server routes; 404 for others. */
export function byPath(answers: Record<string, Answer>): Answer {
  return (request) => {
    const path = new URL(request.url).pathname.replace(/^.*\//, '/');
    const answer = answers[path];
    return answer ? answer(request) : errorResponse(404, 'NOT_FOUND', 'No such route.');
  };
}

/** Issues TOKEN_ANSWER at /token, and answers /validate with `answer`. */
export function validatesWith(answer: Answer): Answer {
  return byPath({ '/token': () => jsonResponse(200, TOKEN_ANSWER), '/validate': answer });
}

/** The credential headers of a request: what the server would authenticate. */
export interface CredentialHeaders {
  /** `X-API-Key`, or null when absent. */
  apiKey: string | null;
  /** `Authorization`, or null when absent. */
  authorization: string | null;
}

/** The credential headers of a request the fake fetch received; null when absent. */
export function credentialHeaders(request: SentRequest | undefined): CredentialHeaders {
  const headers = new Headers(request?.init.headers);
  return { apiKey: headers.get('x-api-key'), authorization: headers.get('authorization') };
}

/** How an in-process run of the CLI ended, what it printed, and what it sent. */
export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  requests: SentRequest[];
}

/** Runs the CLI in-process with a fake fetch and captured output. */
export async function runCli(
  args: string[],
  setup: { env?: Env; answer?: Answer } = {},
): Promise<CliRun> {
  const { fetch, requests } = fakeFetch(setup.answer);
  let stdout = '';
  let stderr = '';
  const deps: ProgramDeps = {
    fetch,
    env: setup.env ?? {},
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  };
  const exitCode = await run(['node', 'request-token', ...args], deps);
  return { exitCode, stdout, stderr, requests };
}

/**
 * Checks that stderr after a usage error is short enough to read at a glance: the problem,
 * perhaps commander's "(Did you mean ...?)", then the pointer to --help; never the help.
 */
export function expectOnlyTheProblem(stderr: string): void {
  const lines = stderr.split('\n');
  expect(lines.pop()).toBe('');
  expect(lines.length).toBeGreaterThanOrEqual(2);
  expect(lines.length).toBeLessThanOrEqual(3);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines.at(-1)).toBe('see request-token --help');
  expect(stderr).not.toContain('Usage:');
}
