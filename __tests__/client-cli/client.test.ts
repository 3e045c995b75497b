// The HTTP client on its own: what requestToken and validateToken send, what they return,
// and which error each kind of failure becomes (client-errors.ts), with the checks of the
// answers' shapes (responses.ts).
import type { CallerCredentials } from '../../client-cli/src/caller-credentials';
import { requestToken, validateToken, type Fetch } from '../../client-cli/src/client';
import {
  InvalidTokenError,
  TokenServerError,
  UnreachableServerError,
} from '../../client-cli/src/client-errors';
import {
  API_KEY,
  credentialHeaders,
  errorResponse,
  fakeFetch,
  jsonResponse,
  SESSION_JWT,
  TOKEN,
  TOKEN_ANSWER,
  type CredentialHeaders,
} from '../support/fake-fetch';

describe('requestToken', () => {
  const options = { serverUrl: 'http://tokens.test', email: 'ada@example.com', fullName: 'Ada' };

  it('returns the parsed answer and its text as received', async () => {
    const text = JSON.stringify(TOKEN_ANSWER);
    const { fetch } = fakeFetch(() => new Response(text, { status: 200 }));

    await expect(requestToken(options, fetch)).resolves.toStrictEqual({
      response: TOKEN_ANSWER,
      responseText: text,
    });
  });

  describe('when fetch rejects', () => {
    it('throws UnreachableServerError with the server URL and the underlying cause', async () => {
      const { fetch } = fakeFetch(() => {
        throw new TypeError('fetch failed', {
          cause: new Error('getaddrinfo ENOTFOUND tokens.test'),
        });
      });

      const error: unknown = await requestToken(options, fetch).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(UnreachableServerError);
      expect(error).toMatchObject({
        serverUrl: 'http://tokens.test',
        reason: 'getaddrinfo ENOTFOUND tokens.test',
        failure: 'other',
      });
    });

    it('throws UnreachableServerError marked tls-handshake when the server is not TLS', async () => {
      const { fetch } = fakeFetch(() => {
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('ssl3_get_record:wrong version number'), {
            code: 'ERR_SSL_WRONG_VERSION_NUMBER',
          }),
        });
      });

      const error: unknown = await requestToken(
        { ...options, serverUrl: 'https://tokens.test' },
        fetch,
      ).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(UnreachableServerError);
      expect(error).toMatchObject({
        serverUrl: 'https://tokens.test',
        reason: 'ERR_SSL_WRONG_VERSION_NUMBER',
        failure: 'tls-handshake',
      });
    });
  });

  describe('when the server does not answer in time', () => {
    it('aborts the request and throws UnreachableServerError', async () => {
      // Like a server that accepts the connection and never answers: only the signal ends it.
      const fetch: Fetch = (_url, init) =>
        new Promise((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        });

      const error: unknown = await requestToken({ ...options, timeoutMs: 50 }, fetch).catch(
        (thrown: unknown) => thrown,
      );

      expect(error).toBeInstanceOf(UnreachableServerError);
      expect(error).toMatchObject({ reason: 'no answer within 0.05 s', failure: 'timeout' });
    });
  });

  describe('when the server answers with an error', () => {
    it('throws TokenServerError with its status, code, message and details', async () => {
      const { fetch } = fakeFetch(() =>
        jsonResponse(429, {
          error: {
            code: 'RATE_LIMITED',
            message: 'Slow down.',
            details: [{ field: 'user_email', message: 'too many requests' }, 'try later', 42],
          },
        }),
      );

      const error: unknown = await requestToken(options, fetch).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(TokenServerError);
      expect(error).toMatchObject({
        status: 429,
        code: 'RATE_LIMITED',
        message: 'Slow down.',
        details: [{ field: 'user_email', message: 'too many requests' }, { message: 'try later' }],
      });
    });
  });

  describe('with credentials', () => {
    it.each<[string, CallerCredentials, CredentialHeaders]>([
      [
        'an API key as X-API-Key',
        { kind: 'api-key', apiKey: API_KEY },
        { apiKey: API_KEY, authorization: null },
      ],
      [
        'a JWT as Authorization: Bearer',
        { kind: 'bearer', jwt: SESSION_JWT },
        { apiKey: null, authorization: `Bearer ${SESSION_JWT}` },
      ],
    ])('sends %s', async (_case, credentials, expected) => {
      const { fetch, requests } = fakeFetch();

      await requestToken({ ...options, credentials }, fetch);

      expect(credentialHeaders(requests[0])).toStrictEqual(expected);
    });

    it('records on a refusal which kind of credentials the request carried', async () => {
      const { fetch } = fakeFetch(() =>
        errorResponse(401, 'INVALID_CREDENTIALS', 'The credentials are invalid.'),
      );

      const error: unknown = await requestToken(
        { ...options, credentials: { kind: 'bearer', jwt: SESSION_JWT } },
        fetch,
      ).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(TokenServerError);
      expect(error).toMatchObject({ status: 401, credentialsSent: 'bearer' });
      expect(String((error as Error).message)).not.toContain(SESSION_JWT);
    });

    it('records none when the request carried none', async () => {
      const { fetch } = fakeFetch(() =>
        errorResponse(401, 'AUTHENTICATION_REQUIRED', 'Authentication is required.'),
      );

      await expect(requestToken(options, fetch)).rejects.toMatchObject({
        credentialsSent: 'none',
      });
    });
  });

  describe('when the server answers with Retry-After', () => {
    it.each<[string, Record<string, string>, number | undefined]>([
      ['delay-seconds', { 'retry-after': '42' }, 42],
      ['an HTTP date in the past, as 0', { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, 0],
      ['something unreadable, as undefined', { 'retry-after': 'soon' }, undefined],
      ['no header, as undefined', {}, undefined],
    ])('reads %s into retryAfterSeconds', async (_case, headers, expected) => {
      const { fetch } = fakeFetch(() =>
        errorResponse(429, 'RATE_LIMITED', 'Too many requests.', headers),
      );

      const error: unknown = await requestToken(options, fetch).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(TokenServerError);
      expect((error as TokenServerError).retryAfterSeconds).toBe(expected);
    });
  });

  describe('when the answer is not the token server JSON', () => {
    it.each<[string, () => Response, number]>([
      [
        'an HTML error page',
        () => new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
        502,
      ],
      [
        'a 404 with JSON of another shape',
        () => jsonResponse(404, { message: 'no such route' }),
        404,
      ],
      ['a 200 without a token', () => jsonResponse(200, { ...TOKEN_ANSWER, token: '' }), 200],
      ['a 200 that is not JSON', () => new Response('OK', { status: 200 }), 200],
    ])('throws TokenServerError with UNEXPECTED_RESPONSE for %s', async (_case, answer, status) => {
      const { fetch } = fakeFetch(answer);

      const error: unknown = await requestToken(options, fetch).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(TokenServerError);
      expect(error).toMatchObject({ status, code: 'UNEXPECTED_RESPONSE' });
      expect((error as Error).message).toContain('http://tokens.test');
    });
  });
});

describe('validateToken', () => {
  const options = { serverUrl: 'http://tokens.test/', token: TOKEN };
  const VALID = {
    valid: true,
    identity: 'ada',
    name: 'Ada',
    room: 'lobby',
    expires_at: '2030-01-02T03:04:05.000Z',
    grants: { room: 'lobby', roomJoin: true },
  };

  it('POSTs {"token"} to /validate and returns the whole answer, unknown fields included', async () => {
    const { fetch, requests } = fakeFetch(() => jsonResponse(200, { ...VALID, extra: [1] }));

    await expect(validateToken(options, fetch)).resolves.toStrictEqual({
      response: { ...VALID, extra: [1] },
    });
    expect(requests.map((request) => [request.url, request.body])).toStrictEqual([
      ['http://tokens.test/validate', { token: TOKEN }],
    ]);
  });

  it('throws InvalidTokenError with the code and message of a valid:false answer', async () => {
    const { fetch } = fakeFetch(() =>
      jsonResponse(401, {
        valid: false,
        error: { code: 'TOKEN_EXPIRED', message: 'The token expired.' },
      }),
    );

    const error: unknown = await validateToken(options, fetch).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error).toMatchObject({ code: 'TOKEN_EXPIRED', message: 'The token expired.' });
  });

  it('throws TokenServerError naming /validate for a 401 that refuses the caller', async () => {
    const { fetch } = fakeFetch(() =>
      errorResponse(401, 'INVALID_CREDENTIALS', 'The credentials are invalid.'),
    );

    const error: unknown = await validateToken(
      { ...options, credentials: { kind: 'api-key', apiKey: API_KEY } },
      fetch,
    ).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(TokenServerError);
    expect(error).toMatchObject({
      status: 401,
      code: 'INVALID_CREDENTIALS',
      path: '/validate',
      credentialsSent: 'api-key',
    });
  });

  it.each<[string, Record<string, unknown>]>([
    ['a non-string metadata', { metadata: 7 }],
    ['attributes that are a list', { attributes: ['team'] }],
    ['a room_config that is a string', { room_config: 'agents' }],
    ['no expires_at', { expires_at: undefined }],
    ['valid as a string', { valid: 'true' }],
  ])('throws UNEXPECTED_RESPONSE for an answer with %s', async (_case, change) => {
    const { fetch } = fakeFetch(() => jsonResponse(200, { ...VALID, ...change }));

    await expect(validateToken(options, fetch)).rejects.toMatchObject({
      code: 'UNEXPECTED_RESPONSE',
      path: '/validate',
    });
  });
});
