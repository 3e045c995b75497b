// A token server that answers with a redirect: request-token follows none,
// so that the credentials and the request never reach a host --server does not name, and it
// says where the redirect points by origin only. Real loopback servers: the one asked, and
// the one the redirect names, which must hear nothing.
import { ExitCode } from '../../client-cli/src/program';
import { API_KEY, SESSION_JWT, TOKEN, TOKEN_ANSWER } from '../support/fake-fetch';
import {
  answerJson,
  runCliOverHttp,
  startHostileServer,
  type HostileServer,
} from '../support/hostile-server';

/** What a redirect's target might hold besides its origin, none of which may be shown. */
const HIDDEN_PARTS = ['redirect-user', 'redirect-pass', '/steal', 'key=abc', 'fragment'];

describe('request-token when the token server answers with a redirect', () => {
  let target: HostileServer;
  let asked: HostileServer | undefined;
  /** What the asked server puts in Location; set by each test before it runs the CLI. */
  let location: string | undefined;

  beforeAll(async () => {
    target = await startHostileServer((_request, response) => answerJson(response, 200, {}));
  });

  afterAll(() => target.close());

  beforeEach(() => {
    target.requests.length = 0;
  });

  afterEach(async () => {
    await asked?.close();
    asked = undefined;
  });

  /** Starts the server --server names, which redirects /token (and, if asked, /validate). */
  async function redirectingServer(status: number, paths = ['/token']): Promise<HostileServer> {
    asked = await startHostileServer((request, response) => {
      if (!paths.includes(request.path)) return answerJson(response, 200, TOKEN_ANSWER);
      response.writeHead(status, location === undefined ? {} : { location });
      response.end(JSON.stringify({ token: TOKEN, note: 'a body the CLI must not use' }));
    });
    return asked;
  }

  /** A URL on the target server with all that may not be shown but user info, which has a test of its own. */
  const targetUrl = () => `${target.url}/steal/token?key=abc#fragment`;

  describe.each([301, 302, 307, 308])('%d to another server', (status) => {
    it.each<[string, string[], Record<string, string>, string]>([
      ['an API key from the environment', [], { TOKEN_SERVER_API_KEY: API_KEY }, 'x-api-key'],
      ['a bearer JWT from --bearer', ['--bearer', SESSION_JWT], {}, 'authorization'],
    ])(
      'with %s, sends nothing there, exits 1 and names the target by origin only',
      async (_case, args, env, header) => {
        location = targetUrl();
        const server = await redirectingServer(status);

        const { exitCode, stdout, stderr } = await runCliOverHttp(
          ['--server', server.url, ...args],
          env,
        );

        // The credentials went to --server, as they should; nothing went anywhere else.
        expect(server.requests).toHaveLength(1);
        expect(server.requests[0]?.headers[header]).toBeDefined();
        expect(target.requests).toEqual([]);
        expect(exitCode).toBe(ExitCode.RequestFailed);
        expect(stdout).toBe('');
        expect(stderr).toBe(
          `error: the token server at ${server.url} answered ${status}, a redirect to ${target.url}; request-token does not follow redirects, which would send the credentials and the request there: if that is the token server, use it as --server (or TOKEN_SERVER_URL).\n`,
        );
        for (const secret of [API_KEY, SESSION_JWT, TOKEN, ...HIDDEN_PARTS]) {
          expect(stderr).not.toContain(secret);
        }
      },
    );
  });

  it('names the origin of a Location with user info, without the user info', async () => {
    location = `http://redirect-user:redirect-pass@${new URL(target.url).host}/steal/token`;
    const server = await redirectingServer(307);

    const { exitCode, stderr } = await runCliOverHttp(['--server', server.url], {
      TOKEN_SERVER_API_KEY: API_KEY,
    });

    expect(exitCode).toBe(ExitCode.RequestFailed);
    expect(target.requests).toEqual([]);
    expect(stderr).toContain(`, a redirect to ${target.url}; `);
    for (const secret of [API_KEY, ...HIDDEN_PARTS]) expect(stderr).not.toContain(secret);
  });

  it('names the origin of a relative Location, which is the server itself', async () => {
    location = '/elsewhere/token?key=abc';
    const server = await redirectingServer(307);

    const { exitCode, stderr } = await runCliOverHttp(['--server', server.url]);

    expect(exitCode).toBe(ExitCode.RequestFailed);
    expect(server.requests).toHaveLength(1);
    expect(stderr).toContain(`, a redirect to ${server.url}; `);
    expect(stderr).not.toContain('elsewhere');
    expect(stderr).not.toContain('key=abc');
  });

  it.each<[string, string | undefined]>([
    ['no Location', undefined],
    ['a Location that is not http(s)', 'file:///etc/passwd'],
    ['a Location that is not a URL', 'http://[not-a-host/token'],
  ])('with %s, exits 1 saying so and pointing at --server', async (_case, given) => {
    location = given;
    const server = await redirectingServer(302);

    const { exitCode, stdout, stderr } = await runCliOverHttp(['--server', server.url]);

    expect(exitCode).toBe(ExitCode.RequestFailed);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `error: the token server at ${server.url} answered 302, a redirect without an http(s) Location; request-token does not follow redirects, which would send the credentials and the request there: check --server (or TOKEN_SERVER_URL).\n`,
    );
    expect(stderr).not.toContain('passwd');
  });

  it('with --validate, sends /validate nowhere else either, and says it was /validate', async () => {
    location = targetUrl();
    const server = await redirectingServer(308, ['/validate']);

    const { exitCode, stdout, stderr } = await runCliOverHttp(
      ['--server', server.url, '--validate'],
      { TOKEN_SERVER_API_KEY: API_KEY },
    );

    expect(server.requests.map((request) => request.path)).toEqual(['/token', '/validate']);
    expect(target.requests).toEqual([]);
    expect(exitCode).toBe(ExitCode.RequestFailed);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      new RegExp(
        `^error: the token server at \\S+ answered /validate with 308, a redirect to ${target.url}; `,
      ),
    );
  });
});
