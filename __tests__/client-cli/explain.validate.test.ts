// What the CLI says on stderr when --validate fails, and that it exits 1 with nothing on
// stdout: a token that /validate refuses (valid: false), and /validate's own error answers.
import { ExitCode } from '../../client-cli/src/program';
import {
  API_KEY,
  byPath,
  errorResponse,
  jsonResponse,
  runCli,
  TOKEN_ANSWER,
  VALIDATION_ANSWER,
  validatesWith,
  type Answer,
} from '../support/fake-fetch';

describe('request-token --validate', () => {
  describe('when /validate says the token is not valid', () => {
    const refusal = {
      valid: false,
      error: { code: 'BAD_SIGNATURE', message: 'The token signature is invalid.' },
    };

    it.each<[string, string[], Answer]>([
      [
        '401 valid:false, as the token server does',
        [],
        () =>
          new Response(JSON.stringify(refusal), {
            status: 401,
            headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
          }),
      ],
      ['200 valid:false', [], () => jsonResponse(200, refusal)],
      ['401 valid:false, with --json', ['--json'], () => jsonResponse(401, refusal)],
      ['401 valid:false, with --quiet', ['--quiet'], () => jsonResponse(401, refusal)],
    ])('exits 1 with its reason and nothing on stdout, given %s', async (_case, args, answer) => {
      const { exitCode, stdout, stderr, requests } = await runCli(['--validate', ...args], {
        answer: validatesWith(answer),
      });

      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(requests).toHaveLength(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        'error: the token server issued a token, but /validate says it is not valid: BAD_SIGNATURE: The token signature is invalid.\n',
      );
    });

    it('says UNKNOWN when the server gives no reason', async () => {
      const { exitCode, stderr } = await runCli(['--validate'], {
        answer: validatesWith(() => jsonResponse(401, { valid: false })),
      });

      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(stderr).toBe(
        'error: the token server issued a token, but /validate says it is not valid: UNKNOWN: The server gave no reason.\n',
      );
    });

    it('with --env, exits 1 with its reason and no LIVEKIT_URL or LIVEKIT_TOKEN on stdout', async () => {
      const { exitCode, stdout, stderr, requests } = await runCli(['--validate', '--env'], {
        env: { TOKEN_SERVER_API_KEY: API_KEY },
        answer: byPath({
          '/token': () => jsonResponse(200, { ...TOKEN_ANSWER, server_url: 'wss://lk.test' }),
          '/validate': () =>
            jsonResponse(401, {
              valid: false,
              error: { code: 'BAD_SIGNATURE', message: 'The token signature is invalid.' },
            }),
        }),
      });

      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(requests).toHaveLength(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        'error: the token server issued a token, but /validate says it is not valid: BAD_SIGNATURE: The token signature is invalid.\n',
      );
    });
  });

  describe('when /validate answers with an error', () => {
    it.each<[string, string[], Answer, string]>([
      [
        '401 INVALID_CREDENTIALS: that the API key was refused',
        ['--api-key', API_KEY],
        () => errorResponse(401, 'INVALID_CREDENTIALS', 'The credentials are invalid.'),
        'error: the token server answered /validate with 401 INVALID_CREDENTIALS: The credentials are invalid.\n' +
          'the token server refused the credentials: check the API key (--api-key, or TOKEN_SERVER_API_KEY in the environment or .env).\n',
      ],
      [
        '429 with Retry-After: how long to wait',
        [],
        () => errorResponse(429, 'RATE_LIMITED', 'Too many requests.', { 'retry-after': '5' }),
        'error: the token server answered /validate with 429 RATE_LIMITED: Too many requests.\n' +
          'the token server is rate limiting these requests: retry after 5 seconds.\n',
      ],
      [
        '400 with details',
        [],
        () =>
          jsonResponse(400, {
            error: {
              code: 'AMBIGUOUS_TOKEN',
              message: 'The request carries two different tokens; send one.',
            },
          }),
        'error: the token server answered /validate with 400 AMBIGUOUS_TOKEN: The request carries two different tokens; send one.\n',
      ],
      [
        '200 without a validation: that it may not be the token server',
        [],
        () => jsonResponse(200, { ok: true }),
        'error: the token server answered /validate with 200 UNEXPECTED_RESPONSE: The server at http://localhost:8002 answered 200 to /validate without a validation; is it the token server?\n',
      ],
      [
        'a 200 valid:true without grants: that it is not a validation',
        [],
        () => jsonResponse(200, { ...VALIDATION_ANSWER, grants: undefined }),
        'error: the token server answered /validate with 200 UNEXPECTED_RESPONSE: The server at http://localhost:8002 answered 200 to /validate without a validation; is it the token server?\n',
      ],
      [
        'an HTML 502: that it may not be the token server',
        [],
        () => new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
        'error: the token server answered /validate with 502 UNEXPECTED_RESPONSE: The server at http://localhost:8002 answered 502 Bad Gateway without a token server error; is it the token server?\n',
      ],
      [
        'no answer: that it could not be reached',
        [],
        () => {
          throw new TypeError('fetch failed', { cause: new Error('socket hang up') });
        },
        'error: could not reach the token server at http://localhost:8002 (socket hang up).\n' +
          'Start it with ./start_token_server.sh from the repository root, or pass --server <url> or set TOKEN_SERVER_URL to use a token server that is running.\n',
      ],
    ])('exits 1 with nothing on stdout and explains %s', async (_case, args, answer, expected) => {
      const { exitCode, stdout, stderr, requests } = await runCli(['--validate', ...args], {
        answer: validatesWith(answer),
      });

      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(requests).toHaveLength(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(expected);
    });
  });
});
