import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { createApp, lifecycleOf } from '../../../server/src/app';
import { testConfig } from '../../support/fixtures';
import {
  CALLER_AUDIENCE,
  CALLER_ISSUER,
  callerJwt,
  generateCallerKey,
  JwksServer,
  type CallerKey,
} from '../../support/jwks';
import { jwksConfig, postToken } from '../../support/jwt-mode';
import { samplesOf } from '../../support/metrics';

/** Zero for each fetch outcome, with the given counts. */
function fetches(counts: Record<string, number>) {
  const zero = { ok: 0, error: 0, timeout: 0, too_large: 0 };
  return Object.fromEntries(
    Object.entries({ ...zero, ...counts }).map(([outcome, count]) => [
      `{outcome="${outcome}"}`,
      count,
    ]),
  );
}

function samples(app: Express, name: string) {
  return samplesOf(lifecycleOf(app).metrics.registry, name);
}

/** A key-set URL that misbehaves: stalls, or answers more bytes than allowed. */
class MisbehavingJwks {
  private readonly stalled: ServerResponse[] = [];
  private readonly server: Server = createServer((req, res) => {
    const oversized = JSON.stringify({ keys: [], padding: 'x'.repeat(2000) });
    switch (req.url) {
      case '/stall':
        this.stalled.push(res);
        return;
      case '/large':
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(oversized);
        return;
      case '/large-chunked':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write(oversized.slice(0, 1000));
        res.end(oversized.slice(1000));
        return;
      default:
        res.writeHead(404).end();
    }
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  async close(): Promise<void> {
    for (const res of this.stalled) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let key: CallerKey;
let jwks: JwksServer;
let misbehaving: MisbehavingJwks;

beforeAll(async () => {
  key = await generateCallerKey('RS256');
  jwks = await JwksServer.start([key]);
  misbehaving = await new MisbehavingJwks().start();
});

afterAll(async () => {
  await jwks.close();
  await misbehaving.close();
});

afterEach(() => jwks.breakWith(undefined));

/** A jwt-mode app whose key set is at `url`, fetching with small limits. */
function appWithKeysAt(url: string): Express {
  return createApp(
    testConfig({
      AUTH_MODE: 'jwt',
      AUTH_JWKS_URL: url,
      AUTH_ISSUER: CALLER_ISSUER,
      AUTH_AUDIENCE: CALLER_AUDIENCE,
    }),
    { jwks: { timeoutMs: 200, maxBytes: 1000 } },
  );
}

describe('jwks_fetches_total', () => {
  describe('with a JWKS that answers', () => {
    it('counts the fetch as ok, and the login as jwt', async () => {
      const app = createApp(jwksConfig(jwks));
      await lifecycleOf(app).prepare();
      await postToken(app, await callerJwt(key), { room_name: 'lab' }).expect(200);
      expect(await samples(app, 'jwks_fetches_total')).toEqual(fetches({ ok: 1 }));
      expect(await samples(app, 'caller_authentications_total')).toMatchObject({
        '{outcome="jwt"}': 1,
        '{outcome="unavailable"}': 0,
      });
    });
  });

  describe.each(['http-500', 'not-json'] as const)('with a JWKS that answers %s', (fault) => {
    it('counts the fetch as error, and the login as unavailable', async () => {
      jwks.breakWith(fault);
      const app = createApp(jwksConfig(jwks));
      await lifecycleOf(app).prepare();
      const refused = await postToken(app, await callerJwt(key), { room_name: 'lab' });
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('AUTH_UNAVAILABLE');
      expect(await samples(app, 'jwks_fetches_total')).toEqual(fetches({ error: 1 }));
      expect(await samples(app, 'caller_authentications_total')).toMatchObject({
        '{outcome="jwt"}': 0,
        '{outcome="unavailable"}': 1,
      });
    });
  });

  describe('with a JWKS that never answers', () => {
    it('counts the fetch as timeout', async () => {
      const app = appWithKeysAt(misbehaving.url('/stall'));
      await lifecycleOf(app).prepare();
      expect(await samples(app, 'jwks_fetches_total')).toEqual(fetches({ timeout: 1 }));
    });
  });

  describe.each(['/large', '/large-chunked'])('with a key set too large (%s)', (path) => {
    it('counts the fetch as too_large', async () => {
      const app = appWithKeysAt(misbehaving.url(path));
      await lifecycleOf(app).prepare();
      expect(await samples(app, 'jwks_fetches_total')).toEqual(fetches({ too_large: 1 }));
    });
  });

  describe('without AUTH_JWKS_URL', () => {
    it('stays at zero', async () => {
      const app = createApp(testConfig());
      await lifecycleOf(app).prepare();
      expect(await samples(app, 'jwks_fetches_total')).toEqual(fetches({}));
    });
  });
});
