import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { TokenVerifier } from 'livekit-server-sdk';
import { secretLike } from '../support/config';
import { livekitPayload, signRaw } from '../support/fixtures';
import {
  cleanEnv,
  freePort,
  REPO_ROOT,
  runProcess,
  SERVER_ENTRY,
  startServer,
  requireBuilt,
  type ProcessResult,
  type RunningServer,
} from '../support/processes';

const SECRET = 'process-test-secret-with-more-than-32-characters';
const credentials = { LIVEKIT_API_KEY: 'APIprocess', LIVEKIT_API_SECRET: SECRET };

function runServerToExit(env: Record<string, string>, cwd?: string): Promise<ProcessResult> {
  requireBuilt(SERVER_ENTRY);
  return runProcess(process.execPath, [SERVER_ENTRY], {
    cwd,
    env: cleanEnv({ TOKEN_SERVER_HOST: '127.0.0.1', TOKEN_SERVER_PORT: '0', ...env }),
  });
}

/** Temporary working directories, each with a .env; removed after each test. */
const dotenvDirectories: string[] = [];

afterEach(() => {
  for (const directory of dotenvDirectories.splice(0)) {
    rmSync(directory, { recursive: true, force: true });
  }
});

/** A fresh working directory whose .env holds these lines. */
function directoryWithDotenv(lines: string[]): string {
  const directory = mkdtempSync(join(tmpdir(), 'token-server-dotenv-'));
  dotenvDirectories.push(directory);
  writeFileSync(join(directory, '.env'), `${lines.join('\n')}\n`);
  return directory;
}

/** The lines of stderr, without the empty one after the last newline. */
function stderrLines(result: { stderr: string }): string[] {
  return result.stderr.split('\n').filter((line) => line !== '');
}

async function postToken(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user_email: 'ada@example.com', full_name: 'Ada Lovelace' }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Sends raw bytes and collects everything the server answers until it closes. */
async function rawExchange(port: number, bytes: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let answer = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(bytes);
  await new Promise((resolve) => socket.once('close', resolve));
  return answer;
}

/** Start-up warnings aside, stderr holds exactly one line, and no stack trace. */
function expectOneClearLine(stderr: string): void {
  const lines = stderr
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith('WARNING: '));
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
}

/** The settings of the start-up report's JSON lines (one per section), merged. */
function configurationOf(stdout: string): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const parsed = JSON.parse(line) as Record<string, unknown>;
    if (parsed.message === 'configuration') Object.assign(settings, parsed);
  }
  return settings;
}

describe('the server process', () => {
  describe('with credentials', () => {
    it('prints where it listens and its configuration, never the secret, and exits 0 on SIGTERM', async () => {
      const server = await startServer({ ...credentials, LIVEKIT_URL: 'wss://rtc.example.com' });
      const minted = await postToken(server.url);
      expect(minted.status).toBe(200);
      const claims = await new TokenVerifier('APIprocess', SECRET).verify(
        minted.body.token as string,
      );
      expect(claims.sub).toBe('ada@example.com');
      const result = await server.stop();
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
      // Not a terminal: JSON lines, one per configuration section.
      expect(configurationOf(result.stdout)).toMatchObject({
        livekit_api_key: 'APIprocess',
        livekit_url: 'wss://rtc.example.com',
      });
      // The one warning: no caller authentication is configured.
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^WARNING: AUTH_MODE is none: anyone who can reach \/token/),
      ]);
      for (const secretThing of [SECRET, minted.body.token as string]) {
        expect(result.stdout).not.toContain(secretThing);
        expect(result.stderr).not.toContain(secretThing);
      }
    });

    it('writes one JSON access-log line per request', async () => {
      const server = await startServer(credentials);
      await postToken(server.url);
      const result = await server.stop();
      const logLines = result.stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        // The start-up report is JSON lines too, when stdout is not a terminal.
        .filter((line) => line.message === 'request');
      expect(logLines).toEqual([
        expect.objectContaining({
          message: 'request',
          method: 'POST',
          path: '/token',
          status: 200,
        }),
      ]);
    });

    it('exits 0 on SIGINT', async () => {
      const server = await startServer(credentials);
      server.child.kill('SIGINT');
      expect((await server.exited()).exitCode).toBe(0);
    });

    it('stops accepting, finishes an in-flight request after SIGTERM, then exits 0', async () => {
      const server = await startServer(credentials);
      const body = JSON.stringify({ user_email: 'late@example.com', full_name: 'Late Comer' });
      const socket = connect(server.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      let answer = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
      const socketClosed = new Promise((resolve) => socket.once('close', resolve));
      // Headers and half of the body now; the rest only after SIGTERM.
      socket.write(
        `POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      server.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 200));
      // It no longer accepts new connections, but the one in flight is still served.
      await expect(fetch(`${server.url}/`)).rejects.toThrow();
      socket.write(body.slice(10));
      await socketClosed;
      expect(answer).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(answer).toContain('"identity":"late@example.com"');
      expect((await server.exited()).exitCode).toBe(0);
    });
  });

  describe('with requests that Node refuses before Express sees them', () => {
    let server: RunningServer;

    beforeAll(async () => {
      server = await startServer(credentials);
    });

    afterAll(async () => {
      await server.stop();
    });

    it('answers a URL over the header limit with 431 HEADERS_TOO_LARGE as JSON', async () => {
      const response = await fetch(`${server.url}/validate?token=${'a'.repeat(20_000)}`, {
        method: 'POST',
      });
      expect(response.status).toBe(431);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'HEADERS_TOO_LARGE',
      );
    });

    it('answers bytes that are not HTTP with 400 BAD_REQUEST as JSON, and keeps serving', async () => {
      const answer = await rawExchange(server.port, 'HELLO THERE\r\n\r\n');
      expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(answer).toContain('{"error":{"code":"BAD_REQUEST"');
      const health = await fetch(`${server.url}/`);
      expect(health.status).toBe(200);
    });
  });

  describe('logs of a full run in each authentication mode', () => {
    const callerKeys = [
      'process-caller-key-one-0123456789abcdefghij',
      'process-caller-key-two-0123456789abcdefghij',
    ];
    const oldLivekitSecret = 'old-livekit-secret-0123456789-abcdefghijkl';
    const jwtSecret = 'login-jwt-secret-0123456789-abcdefghijklmnop';
    let directory: string;

    beforeAll(() => {
      directory = mkdtempSync(join(tmpdir(), 'token-server-secrets-'));
      writeFileSync(join(directory, 'livekit-secret'), `${SECRET}\n`);
      writeFileSync(join(directory, 'caller-keys'), callerKeys.join('\n'));
      writeFileSync(join(directory, 'jwt-secret'), jwtSecret);
    });

    afterAll(() => rmSync(directory, { recursive: true, force: true }));

    /** Requests that carry secrets every way they can: headers, query, body. */
    async function exercise(url: string, authorization: Record<string, string>): Promise<string[]> {
      const post = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
        fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      const minted = await post(
        '/token',
        { user_email: 'ada@example.com', full_name: 'Ada Lovelace', room_name: 'lab' },
        authorization,
      );
      expect(minted.status).toBe(200);
      const token = ((await minted.json()) as { token: string }).token;
      const details = await post(
        '/connection-details',
        {
          room_name: 'lab',
          participant_metadata: '{"seat":3}',
          participant_attributes: { a: 'b' },
        },
        authorization,
      );
      expect(details.status).toBe(201);
      const participantToken = ((await details.json()) as { participant_token: string })
        .participant_token;
      const oldToken = signRaw(livekitPayload({ iss: 'APIold' }), { secret: oldLivekitSecret });
      const statuses = [
        (await post(`/validate?token=${token}`, undefined, authorization)).status,
        (await post('/validate', { token: oldToken }, authorization)).status,
        (await post('/validate', { token: `${token}x` }, authorization)).status,
        (await post(`/validate?token=${token}`, undefined, { Authorization: `Bearer ${token}` }))
          .status,
        (await post('/token', { user_email: 'x' }, { 'X-API-Key': `${callerKeys[0]}!` })).status,
        (await fetch(`${url}/token/${token}?token=${token}`)).status,
      ];
      expect(statuses).toEqual([200, 200, 401, 401, 401, 404]);
      return [token, participantToken, oldToken];
    }

    function expectNothingSecret(result: ProcessResult, secrets: string[]): void {
      const everything = result.stdout + result.stderr;
      // The run was logged (one line per request), and none of it carries a secret.
      expect(everything.match(/"message":"request"/g)).toHaveLength(8);
      for (const secret of secrets) {
        expect(everything).not.toContain(secret);
        const signature = secret.split('.')[2];
        if (signature) expect(everything).not.toContain(signature);
      }
    }

    it('with AUTH_MODE=api-key holds no key, secret or token', async () => {
      const server = await startServer({
        AUTH_MODE: 'api-key',
        TOKEN_SERVER_API_KEYS_FILE: join(directory, 'caller-keys'),
        LIVEKIT_API_KEY: 'APIprocess',
        LIVEKIT_API_SECRET_FILE: join(directory, 'livekit-secret'),
        LIVEKIT_KEYS: `APIold: ${oldLivekitSecret}`,
        RATE_LIMIT_PER_MINUTE: '0',
        VALIDATE_RATE_LIMIT_PER_MINUTE: '0',
        LIVEKIT_URL: 'wss://livekit.example.test',
      });
      const tokens = await exercise(server.url, { 'X-API-Key': callerKeys[1] ?? '' });
      const result = await server.stop();
      expect(configurationOf(result.stdout)).toMatchObject({ auth_mode: 'api-key', api_keys: 2 });
      expectNothingSecret(result, [...callerKeys, SECRET, oldLivekitSecret, ...tokens]);
    });

    it('with AUTH_MODE=jwt holds no login token, secret or LiveKit token', async () => {
      const server = await startServer({
        AUTH_MODE: 'jwt',
        AUTH_JWT_SECRET_FILE: join(directory, 'jwt-secret'),
        AUTH_ISSUER: 'https://login.example.com/',
        AUTH_AUDIENCE: 'video-app',
        LIVEKIT_API_KEY: 'APIprocess',
        LIVEKIT_API_SECRET_FILE: join(directory, 'livekit-secret'),
        LIVEKIT_KEYS: `APIold: ${oldLivekitSecret}`,
        RATE_LIMIT_PER_MINUTE: '0',
        VALIDATE_RATE_LIMIT_PER_MINUTE: '0',
        LIVEKIT_URL: 'wss://livekit.example.test',
      });
      const login = await new SignJWT({ name: 'Ada Lovelace', email: 'ada@example.com' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('user-ada')
        .setIssuer('https://login.example.com/')
        .setAudience('video-app')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(jwtSecret));
      const tokens = await exercise(server.url, { Authorization: `Bearer ${login}` });
      const result = await server.stop();
      expect(result.stdout).toContain('"caller":"jwt:user-ada"');
      expectNothingSecret(result, [login, jwtSecret, SECRET, oldLivekitSecret, ...tokens]);
    });
  });

  describe('without credentials outside production', () => {
    it("warns prominently that it signs with LiveKit's development credentials", async () => {
      const server = await startServer();
      const minted = await postToken(server.url);
      const claims = await new TokenVerifier('devkey', 'secret').verify(
        minted.body.token as string,
      );
      expect(claims.iss).toBe('devkey');
      const result = await server.stop();
      expect(result.stderr).toMatch(/^WARNING: .*development credentials devkey\/secret/m);
    });
  });

  describe('with a secret shorter than 32 characters', () => {
    it('warns at start-up', async () => {
      const server = await startServer({
        LIVEKIT_API_KEY: 'APIshort',
        LIVEKIT_API_SECRET: 'short',
      });
      const result = await server.stop();
      expect(result.stderr).toMatch(
        /^WARNING: The LiveKit secret of key APIshort is shorter than 32 characters/m,
      );
      expect(result.stderr).not.toContain('short\n');
    });
  });

  describe('with NODE_ENV=production and no credentials', () => {
    it('exits 1 with one clear line naming both variables', async () => {
      const result = await runServerToExit({ NODE_ENV: 'production' });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/LIVEKIT_API_KEY and LIVEKIT_API_SECRET must be set/);
      expectOneClearLine(result.stderr);
    });
  });

  describe('with invalid configuration', () => {
    it('exits 1 naming every bad variable on one line', async () => {
      const result = await runServerToExit({
        TOKEN_SERVER_PORT: 'eighty',
        TOKEN_EXPIRY_HOURS: '0',
        CORS_ORIGINS: 'app.example.com',
      });
      expect(result.exitCode).toBe(1);
      for (const name of ['TOKEN_SERVER_PORT', 'TOKEN_EXPIRY_HOURS', 'CORS_ORIGINS']) {
        expect(result.stderr).toContain(name);
      }
      expectOneClearLine(result.stderr);
    });
  });

  describe('when the port is already in use', () => {
    let blocker: Server;
    let port: number;

    beforeAll(async () => {
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      port = (blocker.address() as { port: number }).port;
    });

    afterAll(async () => {
      await new Promise((resolve) => blocker.close(resolve));
    });

    it('exits 1 saying so and naming TOKEN_SERVER_PORT', async () => {
      const result = await runServerToExit({ ...credentials, TOKEN_SERVER_PORT: String(port) });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`Port ${port} is already in use`));
      expect(result.stderr).toContain('TOKEN_SERVER_PORT');
      expectOneClearLine(result.stderr);
    });
  });

  describe('with a .env file in its working directory', () => {
    let directory: string;

    beforeAll(() => {
      directory = mkdtempSync(join(tmpdir(), 'token-server-env-'));
      writeFileSync(
        join(directory, '.env'),
        [
          'LIVEKIT_API_KEY=APIfromdotenv',
          `LIVEKIT_API_SECRET=${SECRET}`,
          'TOKEN_EXPIRY_HOURS=2',
          'LIVEKIT_URL=wss://from-dotenv.example.com',
        ].join('\n'),
      );
    });

    afterAll(() => rmSync(directory, { recursive: true, force: true }));

    it('reads it, and the real environment wins over it', async () => {
      const server = await startServer({ LIVEKIT_URL: 'wss://from-env.example.com' }, directory);
      const minted = await postToken(server.url);
      await server.stop();
      expect(minted.body.server_url).toBe('wss://from-env.example.com');
      const claims = await new TokenVerifier('APIfromdotenv', SECRET).verify(
        minted.body.token as string,
      );
      expect((claims.exp as number) - (claims.nbf as number)).toBe(7200);
    });
  });
});

describe('the server process at start-up', () => {
  const callerKey = 'process-caller-key-0123456789abcdefghijklmn';
  /** A production configuration that starts, but for the variable under test. */
  const productionEnv = {
    ...credentials,
    NODE_ENV: 'production',
    AUTH_MODE: 'api-key',
    TOKEN_SERVER_API_KEYS: callerKey,
    CORS_ORIGINS: 'https://app.example.com',
    LIVEKIT_URL: 'wss://rtc.example.com',
  };

  describe('from a copy of .env.example as .env, with NODE_ENV=production and credentials', () => {
    it('refuses to start until AUTH_MODE is chosen: exit 1, naming AUTH_MODE', async () => {
      const directory = directoryWithDotenv([]);
      copyFileSync(join(REPO_ROOT, '.env.example'), join(directory, '.env'));
      const result = await runServerToExit({ ...credentials, NODE_ENV: 'production' }, directory);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/AUTH_MODE must be set explicitly when NODE_ENV=production/);
      expectOneClearLine(result.stderr);
    });
  });

  describe('with TRUST_PROXY=true and NODE_ENV=production', () => {
    it('exits 1 saying what to set instead', async () => {
      const result = await runServerToExit({ ...productionEnv, TRUST_PROXY: 'true' });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        'TRUST_PROXY=true believes any X-Forwarded-For the client sends; set the number of proxies in front (e.g. 1)',
      );
      expectOneClearLine(result.stderr);
    });
  });

  describe('with secrets pasted into the wrong variables', () => {
    const secrets = new Map<string, string>();
    /** A distinct secret-looking value for each variable, remembered to look for later. */
    const pasted = (name: string, shape: (secret: string) => string = (secret) => secret) => {
      const secret = secretLike(`process-${name}`);
      secrets.set(name, secret);
      return { [name]: shape(secret) };
    };

    it.each([
      [
        'jwt mode',
        () => ({
          AUTH_MODE: 'jwt',
          AUTH_ISSUER: 'https://login.example.com/',
          AUTH_AUDIENCE: 'video-app',
          ...pasted('AUTH_JWKS_URL', (secret) => `ftp://user:${secret}@example.com/?k=${secret}`),
          ...pasted('LIVEKIT_URL', (secret) => `APIkey:${secret}`),
          ...pasted('TOKEN_SERVER_PORT'),
          ...pasted('TOKEN_EXPIRY_HOURS'),
          ...pasted('RATE_LIMIT_PER_MINUTE'),
          ...pasted('VALIDATE_RATE_LIMIT_PER_MINUTE'),
          ...pasted('CORS_ORIGINS', (secret) => `https://app.example.com,${secret}`),
          ...pasted('TRUST_PROXY'),
        }),
      ],
      [
        'api-key mode',
        () => ({
          ...pasted('AUTH_MODE'),
          TOKEN_SERVER_PORT: '',
          ...pasted('PORT'),
        }),
      ],
      [
        'api-key mode with space-separated keys',
        () => ({
          AUTH_MODE: 'api-key',
          ...pasted('TOKEN_SERVER_API_KEYS', (secret) => `${secret} ${callerKey}`),
        }),
      ],
    ])('in %s, exits 1 naming each variable, and stderr shows none of them', async (_, env) => {
      secrets.clear();
      const result = await runServerToExit({ ...credentials, ...env() });
      expect(result.exitCode).toBe(1);
      expectOneClearLine(result.stderr);
      expect(secrets.size).toBeGreaterThan(0);
      for (const [name, secret] of secrets) {
        expect(result.stderr).toContain(name);
        expect(result.stderr).not.toContain(secret.slice(0, 12));
        expect(result.stdout).not.toContain(secret.slice(0, 12));
      }
    });
  });

  describe('with credentials in LIVEKIT_URL and AUTH_JWKS_URL', () => {
    it('prints both without user info, query or fragment', async () => {
      const secret = secretLike('process-urls');
      const server = await startServer({
        ...credentials,
        LIVEKIT_URL: `wss://user:${secret}@rtc.example.com/path?access_token=${secret}#${secret}`,
        AUTH_MODE: 'jwt',
        AUTH_JWKS_URL: `https://client:${secret}@login.example.com/jwks.json?key=${secret}`,
        AUTH_ISSUER: 'https://login.example.com/',
        AUTH_AUDIENCE: 'video-app',
      });
      const result = await server.stop();
      expect(configurationOf(result.stdout)).toMatchObject({
        livekit_url: 'wss://rtc.example.com/path',
        auth_keys: 'https://login.example.com/jwks.json',
      });
      expect(result.stdout + result.stderr).not.toContain(secret.slice(0, 12));
    });
  });

  describe('with PORT, as hosting platforms set it', () => {
    it('listens on PORT when TOKEN_SERVER_PORT is unset', async () => {
      const port = await freePort();
      const server = await startServer({
        ...credentials,
        TOKEN_SERVER_PORT: '',
        PORT: String(port),
      });
      const health = await fetch(`${server.url}/`);
      await server.stop();
      expect(server.port).toBe(port);
      expect(health.status).toBe(200);
    });
  });

  describe('with a variable that looks like ours but is not', () => {
    it('outside production, starts and warns, naming the variable it meant', async () => {
      const directory = directoryWithDotenv(['AUTH_MOD=api-key']);
      const server = await startServer(credentials, directory);
      const result = await server.stop();
      expect(result.exitCode).toBe(0);
      expect(stderrLines(result)).toContain(
        'WARNING: AUTH_MOD is not a variable this server reads; did you mean AUTH_MODE?',
      );
    });

    it('with NODE_ENV=production and the variable in .env, exits 1 with one line listing them', async () => {
      const directory = directoryWithDotenv([
        'RATE_LIMIT_PER_MINUT=30',
        'CORS_ORIGIN=https://app.example.com',
      ]);
      const result = await runServerToExit(productionEnv, directory);
      expect(result.exitCode).toBe(1);
      expect(stderrLines(result)).toEqual([
        'Configuration error: .env sets variables this server does not read, which NODE_ENV=production refuses: CORS_ORIGIN (did you mean CORS_ORIGINS?), RATE_LIMIT_PER_MINUT (did you mean RATE_LIMIT_PER_MINUTE?). See .env.example.',
      ]);
    });

    it('with NODE_ENV=production and the variable only in the real environment, starts and warns', async () => {
      // Blank is unset: production then allows no browser origin, and says so.
      const server = await startServer({
        ...productionEnv,
        CORS_ORIGINS: '',
        // As Kubernetes injects for a Service named livekit.
        LIVEKIT_SERVICE_HOST: '10.0.0.7',
      });
      const result = await server.stop();
      expect(result.exitCode).toBe(0);
      expect(stderrLines(result)).toEqual([
        "WARNING: CORS_ORIGINS is not set: in production no browser origin may call this server; set CORS_ORIGINS to your web app's origin",
        expect.stringMatching(/^WARNING: LIVEKIT_SERVICE_HOST is not a variable this server reads/),
      ]);
    });
  });
});

describe('the server process with ROLES_FILE', () => {
  let directory: string;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'token-server-roles-'));
    writeFileSync(
      join(directory, 'typo.json'),
      JSON.stringify({ presenter: { canPublsh: true, canSubscribe: true } }),
    );
    writeFileSync(
      join(directory, 'roles.json'),
      JSON.stringify({
        presenter: { canPublishSources: ['camera', 'screen_share'], canSubscribe: true },
      }),
    );
  });

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  describe('naming a grant field LiveKit does not know', () => {
    it('exits 1 with one line naming ROLES_FILE, the role and the field', async () => {
      const result = await runServerToExit({
        ...credentials,
        ROLES_FILE: join(directory, 'typo.json'),
      });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        'ROLES_FILE: role "presenter" has "canPublsh", which is not a LiveKit video grant',
      );
      expectOneClearLine(result.stderr);
      expect(result.stdout).not.toMatch(/listening on/);
    });
  });

  describe('with a good file, LIVEKIT_URL, and a file role in PUBLIC_ROLES', () => {
    it('answers POST /connection-details 201 for that role, with its grants', async () => {
      const server = await startServer({
        ...credentials,
        LIVEKIT_URL: 'wss://rtc.example.com',
        ROLES_FILE: join(directory, 'roles.json'),
        PUBLIC_ROLES: 'participant,viewer,presenter',
      });
      let result: ProcessResult;
      try {
        const response = await fetch(`${server.url}/connection-details`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            room_name: 'stage',
            participant_identity: 'speaker-1',
            role: 'presenter',
          }),
        });
        expect(response.status).toBe(201);
        const answer = (await response.json()) as Record<string, unknown>;
        expect(answer).toMatchObject({
          server_url: 'wss://rtc.example.com',
          room_name: 'stage',
          participant_identity: 'speaker-1',
          role: 'presenter',
        });
        const claims = await new TokenVerifier('APIprocess', SECRET).verify(
          answer.participant_token as string,
        );
        expect(claims.video).toEqual({
          roomJoin: true,
          room: 'stage',
          canPublishSources: ['camera', 'screen_share'],
          canSubscribe: true,
        });
      } finally {
        result = await server.stop();
      }
      expect(configurationOf(result.stdout)).toMatchObject({
        roles: 'participant,viewer,host,presenter',
        public_roles: 'participant,viewer,presenter',
      });
    });
  });
});
