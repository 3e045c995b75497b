// The option values: what the parsers accept and how the program sends it (the email and name
// with and without a login included), what they refuse (exit code 2, the problem alone on
// stderr, nothing sent, no secret echoed), and the parsers as units.
import {
  collectAttribute,
  hideServerUrlSecrets,
  hideUnknownOptionValue,
  parseServerUrl,
  participantFields,
} from '../../client-cli/src/options';
import type { Env } from '../../client-cli/src/environment';
import { ExitCode } from '../../client-cli/src/program';
import {
  API_KEY,
  credentialHeaders,
  expectOnlyTheProblem,
  runCli,
  SESSION_JWT,
} from '../support/fake-fetch';

describe('request-token --attribute', () => {
  it.each<[string, string[], string]>([
    ['at the first "=", keeping later ones in the value', ['filter=a=b'], '{"filter":"a=b"}'],
    ['with an empty value', ['note='], '{"note":""}'],
    ['keeping spaces as given', [' my key = my value '], '{" my key ":" my value "}'],
    ['keeping the order given', ['b=2', 'a=1', 'c=3'], '{"b":"2","a":"1","c":"3"}'],
    // A plain object would take `__proto__` as its prototype and drop the attribute.
    ['with __proto__ as an ordinary key', ['__proto__=x'], '{"__proto__":"x"}'],
  ])('splits --attribute %s', async (_case, attributes, expectedJson) => {
    const { exitCode, requests } = await runCli(
      attributes.flatMap((attribute) => ['--attribute', attribute]),
    );

    expect(exitCode).toBe(ExitCode.Success);
    expect(String(requests[0]?.init.body)).toContain(`"attributes":${expectedJson}}`);
  });
});

describe('request-token --ttl', () => {
  it.each<[string, string, number]>([
    ['a plain number', '600', 600],
    ['surrounding spaces', ' 90 ', 90],
    ['leading zeros', '0030', 30],
  ])('reads --ttl with %s as a number of seconds', async (_case, ttl, expected) => {
    const { exitCode, requests } = await runCli(['--ttl', ttl]);

    expect(exitCode).toBe(ExitCode.Success);
    expect(requests[0]?.body).toMatchObject({ ttl_seconds: expected });
  });
});

describe('request-token with an invalid option value', () => {
  it.each<[string, string[], RegExp]>([
    ['a bad email', ['--email', 'not-an-email'], /--email <email>.*'not-an-email' is invalid/],
    ['an empty name', ['--name', ''], /--name <name>.* is invalid/],
    ['a blank room', ['--room', ' '], /--room <room>.* is invalid/],
    ['a --server that is not http(s)', ['--server', 'ftp://example.com'], /--server <url>/],
    ['a --server that is not a URL', ['--server', 'localhost:8002'], /--server <url>/],
    [
      'a --server with credentials',
      ['--server', 'http://u:p@example.com'],
      /^error: option '--server <url>' argument '…' is invalid\. The URL must not contain a user name or password\.\n/,
    ],
    [
      'an --attribute without "="',
      ['--attribute', 'team'],
      /^error: option '--attribute <key=value>' argument 'team' is invalid\. Expected key=value, like team=blue\.\n/,
    ],
    [
      'an --attribute without a key',
      ['--attribute', '=blue'],
      /argument '=blue' is invalid\. Expected a key before "=", like team=blue\.\n/,
    ],
    [
      'an --attribute key given twice',
      ['--attribute', 'team=blue', '--attribute', 'seat=1', '--attribute', 'team=red'],
      /argument 'team=red' is invalid\. The key "team" is given twice; give each attribute once\.\n/,
    ],
    ['a blank --role', ['--role', ' '], /--role <name>.* is invalid\. Expected a role name/],
    ['an empty --agent', ['--agent', ''], /--agent <name>.* is invalid\. Expected an agent name/],
    ['--ttl 0', ['--ttl', '0'], /--ttl <seconds>' argument '0' is invalid\. Expected a positive/],
    ['a negative --ttl', ['--ttl', '-60'], /argument '-60' is invalid\. Expected a positive/],
    ['a fractional --ttl', ['--ttl', '1.5'], /argument '1\.5' is invalid\. Expected a positive/],
    ['a --ttl with a unit', ['--ttl', '10m'], /argument '10m' is invalid\. Expected a positive/],
    ['an empty --ttl', ['--ttl', ''], /argument '' is invalid\. Expected a positive/],
    [
      'a --ttl beyond what a number holds exactly',
      ['--ttl', '9007199254740993'],
      /argument '9007199254740993' is invalid/,
    ],
  ])(
    'exits 2 with the problem alone on stderr and sends nothing, given %s',
    async (_case, args, message) => {
      const { exitCode, stdout, stderr, requests } = await runCli(args);

      expect(exitCode).toBe(ExitCode.Usage);
      expect(stderr).toMatch(message);
      expectOnlyTheProblem(stderr);
      expect(stdout).toBe('');
      expect(requests).toHaveLength(0);
    },
  );
});

describe('request-token with a server URL that ends with a route of the token server', () => {
  it.each<[string, string, string, string]>([
    ['/token', 'http://host:8002/token', '/token', 'http://host:8002'],
    [
      '/connection-details',
      'https://tokens.example.com/connection-details',
      '/connection-details',
      'https://tokens.example.com',
    ],
    ['/validate', 'http://host:8002/validate', '/validate', 'http://host:8002'],
    ['/token and a trailing slash', 'http://host:8002/token/', '/token', 'http://host:8002'],
    ['/Token, routed as Express does', 'http://host:8002/Token', '/Token', 'http://host:8002'],
    [
      'a proxy prefix and /token',
      'https://example.com/livekit/token',
      '/token',
      'https://example.com/livekit',
    ],
  ])(
    'exits 2 naming the part to drop and the base URL, sending nothing, given --server with %s',
    async (_case, url, route, base) => {
      const { exitCode, stdout, stderr, requests } = await runCli(['--server', url]);

      expect(exitCode).toBe(ExitCode.Usage);
      expect(stderr).toBe(
        `error: option '--server <url>' argument '${url}' is invalid. The URL ends with ${route}, a route of the token server, which request-token adds itself: drop ${route} and give the server's base URL, as in --server ${base}.\n` +
          'see request-token --help\n',
      );
      expectOnlyTheProblem(stderr);
      expect(stdout).toBe('');
      expect(requests).toHaveLength(0);
    },
  );

  it('exits 2 the same way for TOKEN_SERVER_URL, with the fix as that variable', async () => {
    const { exitCode, stdout, stderr, requests } = await runCli([], {
      env: { TOKEN_SERVER_URL: 'http://host:8002/livekit/token' },
    });

    expect(exitCode).toBe(ExitCode.Usage);
    expect(stderr).toBe(
      'error: TOKEN_SERVER_URL "http://host:8002/livekit/token" is invalid. The URL ends with /token, a route of the token server, which request-token adds itself: drop /token and give the server\'s base URL, as in TOKEN_SERVER_URL=http://host:8002/livekit.\n' +
        'see request-token --help\n',
    );
    expect(stdout).toBe('');
    expect(requests).toHaveLength(0);
  });

  it('still echoes nothing of a TOKEN_SERVER_URL with credentials that also ends with /token', async () => {
    const { exitCode, stderr, requests } = await runCli([], {
      env: { TOKEN_SERVER_URL: 'http://user:hunter2-secret@host:8002/token' },
    });

    expect(exitCode).toBe(ExitCode.Usage);
    expect(stderr).toMatch(
      /^error: TOKEN_SERVER_URL is invalid\. The URL must not contain a user name or password\.\n/,
    );
    expect(stderr).not.toContain('hunter2-secret');
    expect(requests).toHaveLength(0);
  });
});

describe('request-token with a --server that may hold a secret', () => {
  it.each([
    ['user info', 'http://user:hunter2-secret@example.com'],
    ['a query', 'http://example.com/?key=hunter2-secret'],
    ['a fragment', 'http://example.com/#hunter2-secret'],
    ['user info, given as --server=', '--server=http://user:hunter2-secret@example.com'],
  ])('exits 2 without echoing a value with %s', async (_case, value) => {
    const args = value.startsWith('--') ? [value] : ['--server', value];

    const { exitCode, stderr, requests } = await runCli(args);

    expect(exitCode).toBe(ExitCode.Usage);
    expect(stderr).toMatch(
      /^error: option '--server <url>' argument '…' is invalid\. The URL must not/,
    );
    expect(stderr).not.toContain('hunter2-secret');
    expectOnlyTheProblem(stderr);
    expect(requests).toHaveLength(0);
  });
});

describe('collectAttribute', () => {
  it('adds to a copy, leaving the attributes before it as they were', () => {
    const previous = new Map([['team', 'blue']]);

    const next = collectAttribute('seat=12', previous);

    expect([...next]).toStrictEqual([
      ['team', 'blue'],
      ['seat', '12'],
    ]);
    expect([...previous]).toStrictEqual([['team', 'blue']]);
  });
});

describe('request-token with a login (--bearer or TOKEN_SERVER_BEARER)', () => {
  it.each<[string, string[], Env]>([
    ['--bearer', ['--bearer', SESSION_JWT], {}],
    ['TOKEN_SERVER_BEARER', [], { TOKEN_SERVER_BEARER: SESSION_JWT }],
  ])(
    "given %s without --email or --name, sends neither, so that the server uses the login's",
    async (_case, args, env) => {
      const { exitCode, stderr, requests } = await runCli([...args, '--room', 'demo'], { env });

      expect(stderr).toBe('');
      expect(exitCode).toBe(ExitCode.Success);
      expect(requests[0]?.body).toStrictEqual({ room_name: 'demo' });
      expect(credentialHeaders(requests[0]).authorization).toBe(`Bearer ${SESSION_JWT}`);
    },
  );

  it.each<[string, string[], Record<string, string>]>([
    ['--name alone', ['--name', 'Ada Lovelace'], { full_name: 'Ada Lovelace' }],
    ['--email alone', ['--email', 'ada@example.com'], { user_email: 'ada@example.com' }],
    [
      '--email and --name',
      ['--email', 'ada@example.com', '--name', 'Ada Lovelace'],
      { user_email: 'ada@example.com', full_name: 'Ada Lovelace' },
    ],
  ])('sends what is given, given %s', async (_case, args, expected) => {
    const { exitCode, requests } = await runCli(['--bearer', SESSION_JWT, ...args]);

    expect(exitCode).toBe(ExitCode.Success);
    expect(requests[0]?.body).toStrictEqual(expected);
  });

  it.each<[string, string[], Env]>([
    ['--api-key', ['--api-key', API_KEY], {}],
    ['TOKEN_SERVER_API_KEY', [], { TOKEN_SERVER_API_KEY: API_KEY }],
    ['no credentials', [], {}],
  ])('still sends the test user given %s instead', async (_case, args, env) => {
    const { exitCode, requests } = await runCli(args, { env });

    expect(exitCode).toBe(ExitCode.Success);
    expect(requests[0]?.body).toStrictEqual({
      user_email: 'test.user@example.com',
      full_name: 'Test User',
    });
  });
});

describe('participantFields', () => {
  it.each<[string, { email?: string; name?: string }, boolean, object]>([
    [
      'nothing, without a login',
      {},
      false,
      { email: 'test.user@example.com', fullName: 'Test User' },
    ],
    ['nothing, with a login', {}, true, {}],
    ['a name, with a login', { name: 'Ada' }, true, { fullName: 'Ada' }],
    ['an email, with a login', { email: 'a@b.co' }, true, { email: 'a@b.co' }],
    [
      'both, without a login',
      { email: 'a@b.co', name: 'Ada' },
      false,
      { email: 'a@b.co', fullName: 'Ada' },
    ],
  ])('sends the right fields given %s', (_case, options, withLogin, expected) => {
    expect(participantFields(options, withLogin)).toStrictEqual(expected);
  });
});

describe('parseServerUrl', () => {
  it.each<[string, string]>([
    ['http://localhost:8002', 'http://localhost:8002'],
    [' https://tokens.example.com/ ', 'https://tokens.example.com'],
    ['https://example.com/livekit//', 'https://example.com/livekit'],
    // Paths that only look like routes are prefixes a proxy may use.
    ['https://example.com/token-server', 'https://example.com/token-server'],
    ['https://example.com/tokens/', 'https://example.com/tokens'],
    ['https://example.com/token/api', 'https://example.com/token/api'],
  ])('reads %j as the base URL %s', (value, expected) => {
    expect(parseServerUrl(value)).toBe(expected);
  });

  it.each<[string, RegExp]>([
    ['http://tokens.example.com/?region=eu', /must not contain a query or fragment/],
    ['http://tokens.example.com/#top', /must not contain a query or fragment/],
    [
      'http://tokens.example.com/validate',
      /ends with \/validate, .+ as in --server http:\/\/tokens\.example\.com\.$/,
    ],
  ])('refuses %j', (value, message) => {
    expect(() => parseServerUrl(value)).toThrow(message);
  });
});

describe('hideServerUrlSecrets', () => {
  it.each<[string, string]>([
    [
      "error: option '--server <url>' argument 'http://a'b@c' is invalid. The URL must not contain a user name or password.\n",
      "error: option '--server <url>' argument '…' is invalid. The URL must not contain a user name or password.\n",
    ],
    [
      "error: option '--server <url>' argument 'ftp://example.com' is invalid. Expected an http:// or https:// URL like http://localhost:8002.\n",
      "error: option '--server <url>' argument 'ftp://example.com' is invalid. Expected an http:// or https:// URL like http://localhost:8002.\n",
    ],
    [
      "error: option '--room <room>' argument 'a@b' is invalid.\n",
      "error: option '--room <room>' argument 'a@b' is invalid.\n",
    ],
  ])('writes %j as %j', (text, expected) => {
    expect(hideServerUrlSecrets(text)).toBe(expected);
  });
});

describe('hideUnknownOptionValue', () => {
  it.each<[string, string]>([
    ["error: unknown option '--apikey=tsk_live_1'\n", "error: unknown option '--apikey=…'\n"],
    ["error: unknown option '--apikey=it's'\n", "error: unknown option '--apikey=…'\n"],
    ["error: unknown option '--bogus'\n", "error: unknown option '--bogus'\n"],
    [
      "error: option '--ttl <seconds>' argument 'a=b' is invalid.\n",
      "error: option '--ttl <seconds>' argument 'a=b' is invalid.\n",
    ],
  ])('writes %j as %j', (text, expected) => {
    expect(hideUnknownOptionValue(text)).toBe(expected);
  });
});
