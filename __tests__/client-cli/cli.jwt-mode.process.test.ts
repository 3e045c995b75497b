// request-token as a signed-in user runs it: the built CLI as a process, with the session JWT
// of a login, against a real token server with AUTH_MODE=jwt, where the token's identity and
// name must be the login's unless --name is given, and with AUTH_MODE=none, which asks for
// them. What the CLI sends is tested in-process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenVerifier } from 'livekit-server-sdk';
import {
  ADA_CLAIMS,
  CALLER_AUDIENCE,
  CALLER_ISSUER,
  CALLER_JWT_SECRET,
  callerJwtWithSecret,
} from '../support/jwks';
import {
  CLI_ENTRY,
  requireBuilt,
  runRequestToken,
  startServer,
  type RunningServer,
} from '../support/processes';

/** What the server signs with when no LiveKit credentials are set outside production. */
const verifier = new TokenVerifier('devkey', 'secret');

describe('request-token against a server with AUTH_MODE=jwt (process)', () => {
  let workDirectory: string;
  let server: RunningServer | undefined;
  let sessionJwt: string;

  beforeAll(async () => {
    requireBuilt(CLI_ENTRY);
    workDirectory = mkdtempSync(join(tmpdir(), 'request-token-jwt-mode-'));
    server = await startServer(
      {
        AUTH_MODE: 'jwt',
        AUTH_JWT_SECRET: CALLER_JWT_SECRET,
        AUTH_ISSUER: CALLER_ISSUER,
        AUTH_AUDIENCE: CALLER_AUDIENCE,
        RATE_LIMIT_PER_MINUTE: '0',
      },
      workDirectory,
    );
    sessionJwt = await callerJwtWithSecret(CALLER_JWT_SECRET, { claims: { ...ADA_CLAIMS } });
  });

  afterAll(async () => {
    if (server) await server.stop();
    rmSync(workDirectory, { recursive: true, force: true });
  });

  /** Runs the CLI with --json and resolves to the claims of the token it printed. */
  async function tokenClaims(args: string[], env: Record<string, string> = {}) {
    const result = await runRequestToken(['--server', server?.url ?? '', '--json', ...args], {
      cwd: workDirectory,
      env,
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const answer = JSON.parse(result.stdout) as { token: string; identity: string };
    return { answer, claims: await verifier.verify(answer.token) };
  }

  describe.each<[string, () => string[], () => Record<string, string>]>([
    ['--bearer', () => ['--bearer', sessionJwt], () => ({})],
    ['TOKEN_SERVER_BEARER', () => [], () => ({ TOKEN_SERVER_BEARER: sessionJwt })],
  ])('with %s and without --name or --email', (_case, args, env) => {
    it("gets a token with the login's identity and name, and exits 0", async () => {
      const { answer, claims } = await tokenClaims(['--room', 'demo', ...args()], env());

      expect(answer.identity).toBe(ADA_CLAIMS.sub);
      expect(claims.sub).toBe(ADA_CLAIMS.sub);
      expect(claims.name).toBe(ADA_CLAIMS.name);
      expect(claims.video?.room).toBe('demo');
    });
  });

  describe('with --bearer and --name', () => {
    it('gets a token with the login identity and the name given', async () => {
      const { claims } = await tokenClaims(['--bearer', sessionJwt, '--name', 'Countess Ada']);

      expect(claims.sub).toBe(ADA_CLAIMS.sub);
      expect(claims.name).toBe('Countess Ada');
    });
  });
});

describe('request-token with a login against a server with AUTH_MODE=none (process)', () => {
  let workDirectory: string;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    requireBuilt(CLI_ENTRY);
    workDirectory = mkdtempSync(join(tmpdir(), 'request-token-none-mode-'));
    server = await startServer({ RATE_LIMIT_PER_MINUTE: '0' }, workDirectory);
  });

  afterAll(async () => {
    if (server) await server.stop();
    rmSync(workDirectory, { recursive: true, force: true });
  });

  describe('with TOKEN_SERVER_BEARER and without --name or --email', () => {
    it("exits 1 with the server's 400 and says to pass --email and --name", async () => {
      const sessionJwt = await callerJwtWithSecret(CALLER_JWT_SECRET);

      const result = await runRequestToken(['--server', server?.url ?? ''], {
        cwd: workDirectory,
        env: { TOKEN_SERVER_BEARER: sessionJwt },
      });

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^error: the token server answered 400 VALIDATION_ERROR: /);
      expect(result.stderr).toMatch(
        /\nwith --bearer, request-token sends no default email or name, since a server with AUTH_MODE=jwt takes them from the login; this server does not: pass --email and --name \(or --user-id\)\.\n$/,
      );
      expect(result.stderr).not.toContain(sessionJwt);
    });
  });
});
