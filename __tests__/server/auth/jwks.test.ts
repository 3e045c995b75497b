import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import { KeysUnavailableError, RemoteKeySet } from '../../../server/src/auth/jwks';
import { DEFAULT_JWKS_OPTIONS, type JwksOptions } from '../../../server/src/auth/jwks-options';
import { createApp } from '../../../server/src/app';
import type { LogFields, Logger } from '../../../server/src/logger';
import { testConfig } from '../../support/fixtures';
import {
  CALLER_AUDIENCE,
  CALLER_ISSUER,
  callerJwt,
  generateCallerKey,
  type CallerKey,
} from '../../support/jwks';
import { expectInvalidCredentials, postToken } from '../../support/jwt-mode';

/** What the key server does with the next fetches. */
type Behaviour =
  | { kind: 'serve' }
  | { kind: 'stall' }
  | { kind: 'huge'; bytes: number }
  | { kind: 'declared-huge' }
  | { kind: 'fail' };

/**
 * A JWKS endpoint that can misbehave the ways real ones have: stall after the headers and
 * part of the body, send a body of any size, or answer errors.
 */
class FaultyJwks {
  behaviour: Behaviour = { kind: 'serve' };
  fetches = 0;
  /** The Authorization header of the last fetch. */
  lastAuthorization: string | undefined;
  private readonly stalled: ServerResponse[] = [];

  private constructor(
    private readonly server: Server,
    readonly keys: CallerKey[],
  ) {}

  static async start(keys: CallerKey[]): Promise<FaultyJwks> {
    const holder: { jwks?: FaultyJwks } = {};
    const server = createServer((req, res) => {
      const jwks = holder.jwks;
      if (jwks === undefined) return;
      jwks.lastAuthorization = req.headers.authorization;
      jwks.answer(res);
    });
    holder.jwks = new FaultyJwks(server, keys);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return holder.jwks;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://user:pass@127.0.0.1:${port}/jwks.json?api_key=query-secret`;
  }

  private answer(res: ServerResponse): void {
    this.fetches += 1;
    const keySet = JSON.stringify({ keys: this.keys.map((key) => key.publicJwk) });
    switch (this.behaviour.kind) {
      case 'serve':
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(keySet);
        return;
      case 'stall':
        // Headers and half the body, then silence: the fault jose's timeout missed.
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write(keySet.slice(0, keySet.length / 2));
        this.stalled.push(res);
        return;
      case 'huge': {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const pump = () => {
          while (sent < (this.behaviour as { bytes: number }).bytes) {
            sent += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end(keySet);
        };
        res.on('error', () => undefined);
        pump();
        return;
      }
      case 'declared-huge':
        res.writeHead(200, {
          'Content-Type': 'application/json',
          'Content-Length': String(200 * 1024 * 1024),
        });
        res.write('{"keys":[');
        this.stalled.push(res);
        return;
      case 'fail':
        res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"error":"down"}');
        return;
    }
  }

  async close(): Promise<void> {
    for (const res of this.stalled) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A logger that keeps its lines, to count them and look inside. */
function recordingLogger(): Logger & { lines: Array<{ level: string; fields: LogFields }> } {
  const lines: Array<{ level: string; fields: LogFields }> = [];
  const record =
    (level: string) =>
    (_message: string, fields: LogFields = {}) => {
      lines.push({ level, fields });
    };
  return { lines, info: record('info'), warn: record('warn'), error: record('error'), flush() {} };
}

const FAST: JwksOptions = {
  ...DEFAULT_JWKS_OPTIONS,
  timeoutMs: 300,
  cooldownMs: 0,
  initialBackoffMs: 200,
  maxBackoffMs: 400,
};

let key: CallerKey;
let jwks: FaultyJwks;

beforeAll(async () => {
  key = await generateCallerKey('RS256', 'key-1');
});

beforeEach(async () => {
  jwks = await FaultyJwks.start([key]);
});

afterEach(async () => {
  await jwks.close();
});

/** The protected header of a token signed with the test key. */
const header = () => ({ alg: 'RS256', kid: 'key-1' });
const input = { payload: '', signature: '' } as jose.FlattenedJWSInput;

describe('RemoteKeySet', () => {
  describe('with a JWKS that answers', () => {
    it('fetches once and answers the key for a known kid', async () => {
      const keySet = new RemoteKeySet(jwks.url, FAST, recordingLogger());
      expect(keySet.ready).toBe(false);
      await expect(keySet.getKey(header(), input)).resolves.toBeDefined();
      await expect(keySet.getKey(header(), input)).resolves.toBeDefined();
      expect(keySet.ready).toBe(true);
      expect(jwks.fetches).toBe(1);
    });

    it('sends the user info of AUTH_JWKS_URL as Basic credentials', async () => {
      await new RemoteKeySet(jwks.url, FAST, recordingLogger()).prefetch();
      expect(jwks.lastAuthorization).toBe(`Basic ${Buffer.from('user:pass').toString('base64')}`);
    });
  });

  describe('with a JWKS that sends headers and part of the body, then stalls', () => {
    it('gives up within the timeout with KeysUnavailableError', async () => {
      jwks.behaviour = { kind: 'stall' };
      const keySet = new RemoteKeySet(jwks.url, FAST, recordingLogger());
      const startedAt = Date.now();
      await expect(keySet.getKey(header(), input)).rejects.toBeInstanceOf(KeysUnavailableError);
      expect(Date.now() - startedAt).toBeLessThan(FAST.timeoutMs + 2000);
    });

    it('uses the JWKS again once it answers, without a restart', async () => {
      jwks.behaviour = { kind: 'stall' };
      const keySet = new RemoteKeySet(jwks.url, FAST, recordingLogger());
      await expect(keySet.getKey(header(), input)).rejects.toThrow(KeysUnavailableError);
      jwks.behaviour = { kind: 'serve' };
      await new Promise((resolve) => setTimeout(resolve, FAST.maxBackoffMs + 50));
      await expect(keySet.getKey(header(), input)).resolves.toBeDefined();
    });
  });

  describe('with a JWKS larger than the cap', () => {
    it('refuses a streamed body past maxBytes', async () => {
      jwks.behaviour = { kind: 'huge', bytes: 4 * 1024 * 1024 };
      const keySet = new RemoteKeySet(jwks.url, { ...FAST, timeoutMs: 5000 }, recordingLogger());
      await expect(keySet.getKey(header(), input)).rejects.toThrow(/larger than 1048576 bytes/);
    });

    it('refuses a declared Content-Length past maxBytes without reading it', async () => {
      jwks.behaviour = { kind: 'declared-huge' };
      const keySet = new RemoteKeySet(jwks.url, { ...FAST, timeoutMs: 5000 }, recordingLogger());
      const startedAt = Date.now();
      await expect(keySet.getKey(header(), input)).rejects.toThrow(/larger than/);
      expect(Date.now() - startedAt).toBeLessThan(4000);
    });
  });

  describe('during an outage', () => {
    it('fetches once per backoff and logs the outage once, without the URL credentials', async () => {
      jwks.behaviour = { kind: 'fail' };
      const logger = recordingLogger();
      const keySet = new RemoteKeySet(
        jwks.url,
        { ...FAST, initialBackoffMs: 60_000, maxBackoffMs: 60_000 },
        logger,
      );
      const attempts = await Promise.allSettled(
        Array.from({ length: 200 }, () => keySet.getKey(header(), input)),
      );
      for (let round = 0; round < 20; round += 1) {
        attempts.push(...(await Promise.allSettled([keySet.getKey(header(), input)])));
      }
      expect(attempts.every((attempt) => attempt.status === 'rejected')).toBe(true);
      expect(jwks.fetches).toBe(1);
      const warnings = logger.lines.filter((line) => line.level === 'warn');
      expect(warnings).toHaveLength(1);
      const logged = JSON.stringify(logger.lines);
      expect(logged).toContain('127.0.0.1');
      expect(logged).not.toContain('pass');
      expect(logged).not.toContain('query-secret');
    });

    it('keeps serving known kids from the cached key set while a refresh fails', async () => {
      const keySet = new RemoteKeySet(jwks.url, { ...FAST, maxAgeMs: 0 }, recordingLogger());
      await keySet.getKey(header(), input);
      jwks.behaviour = { kind: 'fail' };
      await new Promise((resolve) => setTimeout(resolve, 5));
      await expect(keySet.getKey(header(), input)).resolves.toBeDefined();
      expect(jwks.fetches).toBe(2);
    });

    it('answers an unknown kid with KeysUnavailableError, not a refusal of the token', async () => {
      const keySet = new RemoteKeySet(jwks.url, FAST, recordingLogger());
      await keySet.getKey(header(), input);
      jwks.behaviour = { kind: 'fail' };
      await expect(
        keySet.getKey({ alg: 'RS256', kid: 'rotated-in' }, input),
      ).rejects.toBeInstanceOf(KeysUnavailableError);
    });

    it('logs that the keys are back once a fetch succeeds again', async () => {
      jwks.behaviour = { kind: 'fail' };
      const logger = recordingLogger();
      const keySet = new RemoteKeySet(jwks.url, FAST, logger);
      await keySet.prefetch();
      expect(keySet.ready).toBe(false);
      jwks.behaviour = { kind: 'serve' };
      await new Promise((resolve) => setTimeout(resolve, FAST.maxBackoffMs + 50));
      await keySet.prefetch();
      expect(keySet.ready).toBe(true);
      expect(logger.lines.map((line) => line.level)).toEqual(['warn', 'info']);
    });
  });

  describe('with an unknown kid and the JWKS up', () => {
    it('fetches again at most once per cooldown', async () => {
      const keySet = new RemoteKeySet(jwks.url, { ...FAST, cooldownMs: 60_000 }, recordingLogger());
      await keySet.getKey(header(), input);
      for (let attempt = 0; attempt < 5; attempt += 1) {
        await expect(
          keySet.getKey({ alg: 'RS256', kid: `unknown-${attempt}` }, input),
        ).rejects.toBeInstanceOf(jose.errors.JWKSNoMatchingKey);
      }
      expect(jwks.fetches).toBe(1);
    });
  });
});

describe('POST /token in jwt mode with a JWKS that misbehaves', () => {
  /** An app against the faulty JWKS, with AUTH_JWKS_TIMEOUT_MS and short pauses. */
  function appFor(logger = recordingLogger()) {
    const config = testConfig({
      AUTH_MODE: 'jwt',
      AUTH_JWKS_URL: jwks.url,
      AUTH_ISSUER: CALLER_ISSUER,
      AUTH_AUDIENCE: CALLER_AUDIENCE,
      AUTH_JWKS_TIMEOUT_MS: '300',
    });
    return createApp(config, { logger, jwks: { initialBackoffMs: 200, maxBackoffMs: 400 } });
  }

  describe('when the JWKS stalls after the headers', () => {
    it('responds 503 AUTH_UNAVAILABLE within AUTH_JWKS_TIMEOUT_MS, every time', async () => {
      jwks.behaviour = { kind: 'stall' };
      const app = appFor();
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const response = await postToken(app, await callerJwt(key)).expect(503);
        expect(response.body.error.code).toBe('AUTH_UNAVAILABLE');
      }
    });

    it('mints again once the JWKS answers, without a restart', async () => {
      jwks.behaviour = { kind: 'stall' };
      const app = appFor();
      await postToken(app, await callerJwt(key)).expect(503);
      jwks.behaviour = { kind: 'serve' };
      await new Promise((resolve) => setTimeout(resolve, 450));
      await postToken(app, await callerJwt(key)).expect(200);
    });
  });

  describe('when the JWKS is down for 200 requests', () => {
    it('fetches it a few times, not 200, and logs the outage once', async () => {
      jwks.behaviour = { kind: 'fail' };
      const logger = recordingLogger();
      const app = appFor(logger);
      const token = await callerJwt(key);
      for (let attempt = 0; attempt < 200; attempt += 1) {
        await postToken(app, token).expect(503);
      }
      expect(jwks.fetches).toBeLessThan(20);
      expect(logger.lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    });
  });

  describe('with a login token issued in the future', () => {
    it('responds 401 INVALID_CREDENTIALS', async () => {
      const app = appFor();
      const future = Math.floor(Date.now() / 1000) + 3600;
      const token = await new jose.SignJWT({
        sub: 'user-ada',
        iss: CALLER_ISSUER,
        aud: CALLER_AUDIENCE,
        iat: future,
        exp: future + 600,
      })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .sign(key.privateKey);
      await expectInvalidCredentials(await postToken(app, token));
    });

    it('accepts one issued within the 30 s clock tolerance', async () => {
      const app = appFor();
      const soon = Math.floor(Date.now() / 1000) + 10;
      const token = await new jose.SignJWT({
        sub: 'user-ada',
        iss: CALLER_ISSUER,
        aud: CALLER_AUDIENCE,
        iat: soon,
        exp: soon + 600,
      })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .sign(key.privateKey);
      await postToken(app, token, { user_email: 'ada@example.com', full_name: 'Ada' }).expect(200);
    });
  });
});
