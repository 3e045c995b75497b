// Why no answer came, and what the CLI says then: an https:// URL pointed at a server that
// speaks plain HTTP (against a real plain-HTTP server on a loopback port, with the real
// fetch, which gives OpenSSL's real error), a port nobody listens on, and the classifier
// of fetch's errors on its own.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UnreachableServerError } from '../../client-cli/src/client-errors';
import { explainFailure } from '../../client-cli/src/explain';
import { classifyNetworkFailure } from '../../client-cli/src/network-failure';
import { ExitCode } from '../../client-cli/src/program';
import { freePort } from '../support/processes';
import { runCli, type Answer } from '../support/fake-fetch';

/** Hands each request the CLI makes to the real global fetch: real sockets, real errors. */
const realFetch: Answer = (request) => fetch(request.url, request.init);

/** Words of OpenSSL's own error text, which must never reach the user. */
const OPENSSL_TEXT = /SSL routines|ssl3_get_record|wrong version number|openssl/i;

describe('request-token --server https://… against a server that speaks plain HTTP', () => {
  let server: Server;
  let port: number;
  let connections: number;

  beforeAll(async () => {
    // Any plain-HTTP server: it answers the TLS ClientHello with an HTTP 400.
    server = createServer((_req, res) => res.end('plain HTTP'));
    server.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  beforeEach(() => {
    connections = 0;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.each<[string, string, string]>([
    ['the server alone', '', ''],
    ['a path prefix', '/livekit', '/livekit'],
  ])(
    'exits 1 saying it does not speak HTTPS and which http:// URL to use, given %s',
    async (_case, path, expectedPath) => {
      const httpsUrl = `https://127.0.0.1:${port}${path}`;

      const { exitCode, stdout, stderr } = await runCli(['--server', httpsUrl], {
        answer: realFetch,
      });

      expect(connections).toBeGreaterThan(0);
      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `error: the server at ${httpsUrl} does not speak HTTPS; it probably serves plain HTTP (the TLS handshake failed: ERR_SSL_WRONG_VERSION_NUMBER).\n` +
          `Use http://127.0.0.1:${port}${expectedPath} instead, with --server or TOKEN_SERVER_URL.\n`,
      );
      expect(stderr).not.toMatch(OPENSSL_TEXT);
      expect(stderr).not.toContain('start_token_server.sh');
    },
  );

  it('says the same for TOKEN_SERVER_URL, and after /token for --validate', async () => {
    const httpsUrl = `https://127.0.0.1:${port}`;

    const { exitCode, stderr, requests } = await runCli(['--validate'], {
      env: { TOKEN_SERVER_URL: httpsUrl },
      answer: realFetch,
    });

    expect(exitCode).toBe(ExitCode.RequestFailed);
    expect(requests.map((request) => request.url)).toStrictEqual([`${httpsUrl}/token`]);
    expect(stderr).toMatch(
      /^error: the server at https:\/\/127\.0\.0\.1:\d+ does not speak HTTPS;/,
    );
  });
});

describe('request-token --server https://… where nothing listens', () => {
  it('exits 1 with the reason and how to start the server, not a word about HTTPS', async () => {
    const port = await freePort();

    const { exitCode, stdout, stderr } = await runCli(['--server', `https://127.0.0.1:${port}`], {
      answer: realFetch,
    });

    expect(exitCode).toBe(ExitCode.RequestFailed);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `error: could not reach the token server at https://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}).\n` +
        'Start it with ./start_token_server.sh from the repository root, or pass --server <url> or set TOKEN_SERVER_URL to use a token server that is running.\n',
    );
  });
});

describe('classifyNetworkFailure', () => {
  /** What Node's fetch rejects with: a bare "fetch failed" whose cause says what happened. */
  function fetchFailed(cause: unknown): TypeError {
    return new TypeError('fetch failed', { cause });
  }

  /** OpenSSL's error as Node hands it over: a multi-line message, a library, a reason, a code. */
  function openSslError(code: string | undefined, reason: string): Error {
    const error = new Error(
      `807CC498B07F0000:error:0A00010B:SSL routines:ssl3_get_record:${reason}:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n`,
    );
    return Object.assign(error, { library: 'SSL routines', reason, ...(code ? { code } : {}) });
  }

  it.each<[string, unknown, string]>([
    [
      'ERR_SSL_WRONG_VERSION_NUMBER',
      fetchFailed(openSslError('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number')),
      'ERR_SSL_WRONG_VERSION_NUMBER',
    ],
    [
      'ERR_SSL_PACKET_LENGTH_TOO_LONG',
      fetchFailed(openSslError('ERR_SSL_PACKET_LENGTH_TOO_LONG', 'packet length too long')),
      'ERR_SSL_PACKET_LENGTH_TOO_LONG',
    ],
    [
      'EPROTO two causes deep',
      fetchFailed(
        new Error('socket closed', {
          cause: Object.assign(new Error('write EPROTO'), { code: 'EPROTO' }),
        }),
      ),
      'EPROTO',
    ],
    [
      '"wrong version number" without a code',
      fetchFailed(openSslError(undefined, 'wrong version number')),
      'TLS handshake failed',
    ],
    [
      '"packet length too long" on the error itself',
      new Error('SSL routines:ssl3_get_record:Packet Length Too Long'),
      'TLS handshake failed',
    ],
  ])('reads %s as tls-handshake', (_case, error, reason) => {
    expect(classifyNetworkFailure(error, 10_000)).toStrictEqual({ kind: 'tls-handshake', reason });
  });

  it.each<[string, unknown, { kind: string; reason: string }]>([
    [
      'a refused connection as other, with its message',
      fetchFailed(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
      ),
      { kind: 'other', reason: 'connect ECONNREFUSED 127.0.0.1:9' },
    ],
    [
      'a certificate error as other: TLS, but from a TLS server',
      fetchFailed(
        Object.assign(new Error('self-signed certificate'), {
          code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
        }),
      ),
      { kind: 'other', reason: 'self-signed certificate' },
    ],
    [
      "the timeout's TimeoutError as timeout, in seconds",
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      { kind: 'timeout', reason: 'no answer within 2.5 s' },
    ],
    ['a thrown string as other', 'boom', { kind: 'other', reason: 'boom' }],
  ])('reads %s', (_case, error, expected) => {
    expect(classifyNetworkFailure(error, 2_500)).toStrictEqual(expected);
  });

  it('stops at a cause chain that loops', () => {
    const first = new Error('first');
    const second = new Error('second', { cause: first });
    Object.assign(first, { cause: second });

    expect(classifyNetworkFailure(fetchFailed(first), 1_000)).toStrictEqual({
      kind: 'other',
      reason: 'first',
    });
  });
});

describe('explainFailure for a TLS handshake failure', () => {
  it('suggests port 443 over http:// when the https:// URL implied it', () => {
    const error = new UnreachableServerError(
      'https://tokens.example.com',
      'ERR_SSL_WRONG_VERSION_NUMBER',
      'tls-handshake',
    );

    expect(explainFailure(error)).toBe(
      'error: the server at https://tokens.example.com does not speak HTTPS; it probably serves plain HTTP (the TLS handshake failed: ERR_SSL_WRONG_VERSION_NUMBER).\n' +
        'Use http://tokens.example.com:443 instead, with --server or TOKEN_SERVER_URL.\n',
    );
  });

  it('keeps the plain reason for an http:// URL, where there was no handshake to blame', () => {
    const error = new UnreachableServerError(
      'http://tokens.example.com',
      'EPROTO',
      'tls-handshake',
    );

    expect(explainFailure(error)).toMatch(
      /^error: could not reach the token server at http:\/\/tokens\.example\.com \(EPROTO\)\.\nStart it with/,
    );
  });
});
