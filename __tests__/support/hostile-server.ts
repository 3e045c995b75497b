// A real HTTP server on a loopback port that answers as a test says, however hostile, and
// records what it received; and `runCliOverHttp`, which runs the whole CLI in-process with the
// real global fetch against it. For what only a real connection shows: redirects, bodies
// streamed without end, a client that hangs up.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Env } from '../../client-cli/src/environment';
import { run } from '../../client-cli/src/program';

/**
 * Text a hostile server puts in any field it answers with: what would drive a terminal,
 * forge a line, or reorder what is shown, if printed raw.
 */
export const HOSTILE_TEXT = {
  'ANSI sequences that clear the screen, move the cursor and colour':
    '\u001b[2J\u001b[1;1H\u001b[32mok\u001b[0m',
  'an OSC sequence that retitles the window': '\u001b]0;pwned\u0007',
  'C1 controls (CSI, OSC, ST) and DEL': '\u009b2J\u009d0;pwned\u009c\u007f',
  'CR and LF that forge a line': 'lobby\r\nerror: none\rtoken:      forged',
  'bidi overrides and isolates': 'abc\u202edcba\u2066x\u2069\u200f',
} as const;

/**
 * What must never reach a terminal raw, written out here rather than imported, so that the
 * filter's own list is checked: C0 controls but LF (the CLI's own line ends), DEL and C1,
 * bidi controls, line and paragraph separators, invisible characters.
 */
const NOT_INERT =
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

/** Checks that `output` holds nothing a terminal acts on but its own line ends. */
export function expectInert(output: string): void {
  expect(output).not.toMatch(NOT_INERT);
}

/** One request the server received, body included. */
export interface ReceivedRequest {
  method: string;
  /** The request target, e.g. `/token`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the server answers one request. */
export type HostileHandler = (request: ReceivedRequest, response: ServerResponse) => void;

/** A running hostile server. */
export interface HostileServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  /** Every request received, in order. */
  requests: ReceivedRequest[];
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 and a free port that answers each request with `handler`. */
export async function startHostileServer(handler: HostileHandler): Promise<HostileServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((incoming, response) => {
    let body = '';
    incoming.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    incoming.on('end', () => {
      const request: ReceivedRequest = {
        method: incoming.method ?? '',
        path: incoming.url ?? '',
        headers: incoming.headers,
        body,
      };
      requests.push(request);
      handler(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers `body` as JSON with `status`. */
export function answerJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** How a streamed answer ended. */
export interface StreamOutcome {
  /** Bytes handed to the socket before the client hung up, or all of them. */
  bytesWritten: number;
  /** Whether the client closed the connection before the end was written. */
  closedByClient: boolean;
}

/**
 * Writes `head`, then `chunk` over and over (as fast as the client reads: it waits for
 * 'drain') until `totalBytes` were written or the client hangs up, then `tail`. Resolves once
 * the answer ended either way. Infinity as `totalBytes` streams until the client hangs up.
 */
export function streamAnswer(
  response: ServerResponse,
  options: { status: number; head: string; chunk: string; totalBytes: number; tail: string },
): Promise<StreamOutcome> {
  return new Promise((resolve) => {
    let bytesWritten = 0;
    let ended = false;
    response.on('close', () => {
      if (!ended) resolve({ bytesWritten, closedByClient: true });
    });
    response.writeHead(options.status, { 'content-type': 'application/json' });
    const write = (text: string): boolean => {
      bytesWritten += Buffer.byteLength(text);
      return response.write(text);
    };
    write(options.head);
    const pump = (): void => {
      while (!response.destroyed && bytesWritten < options.totalBytes) {
        if (!write(options.chunk)) {
          response.once('drain', pump);
          return;
        }
      }
      if (response.destroyed) return;
      ended = true;
      response.end(options.tail, () => resolve({ bytesWritten, closedByClient: false }));
    };
    pump();
  });
}

/** How an in-process run of the CLI over real HTTP ended, and what it printed. */
export interface HttpCliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with the real global fetch and captured output. */
export async function runCliOverHttp(args: string[], env: Env = {}): Promise<HttpCliRun> {
  let stdout = '';
  let stderr = '';
  const exitCode = await run(['node', 'request-token', ...args], {
    fetch: (url, init) => fetch(url, init),
    env,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { exitCode, stdout, stderr };
}
