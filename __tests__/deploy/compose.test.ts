// compose.yaml, parsed: the local stack's token server gets only variables it reads, no
// secret but LiveKit's public development pair, a configuration its own loadConfig
// accepts, and ports on 127.0.0.1 only. `docker compose up` itself cannot run here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEVELOPMENT_API_KEY, DEVELOPMENT_API_SECRET, loadConfig } from '../../server/src/config';
import { problemsOf } from '../support/config';
import { REPO_ROOT } from '../support/processes';
import {
  EVERY_INTERFACE,
  isSecretVariable,
  longestStopMs,
  metricsPort,
  readYamlDocuments,
  SERVER_VARIABLES,
  serverPort,
} from './support/server-facts';

interface ComposeService {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | { target: number; published?: string | number; host_ip?: string }>;
  stop_grace_period?: string;
}

/**
 * Variables LiveKit's own server reads from its environment (`livekit-server --help`:
 * the flags backed by a variable). Redis's image reads none.
 */
const LIVEKIT_CONTAINER_VARIABLES = [
  'LIVEKIT_CONFIG',
  'LIVEKIT_KEYS',
  'LIVEKIT_REGION',
  'LIVEKIT_TURN_CERT',
  'LIVEKIT_TURN_KEY',
];

const compose = readYamlDocuments('compose.yaml')[0] as {
  services: Record<string, ComposeService>;
};
const services = compose.services;

/** The one service built from this repository: the token server. */
const [tokenServerName, tokenServer] = (() => {
  const built = Object.entries(services).filter(([, service]) => service.build !== undefined);
  if (built.length !== 1) throw new Error(`expected one built service, found ${built.length}`);
  return built[0] as [string, ComposeService];
})();

/** A service's environment, in either of compose's spellings, as strings. */
function environmentOf(service: ComposeService | undefined): Record<string, string> {
  const environment = service?.environment ?? {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry) => [entry.split('=')[0] ?? '', entry.split('=').slice(1).join('=')]),
    );
  }
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [name, String(value ?? '')]),
  );
}

/** A service's published ports: host address, host port, container port. */
function portsOf(
  service: ComposeService | undefined,
): Array<{ hostIp: string; published: number; target: number }> {
  return (service?.ports ?? []).map((port) => {
    if (typeof port !== 'string') {
      return { hostIp: port.host_ip ?? '', published: Number(port.published), target: port.target };
    }
    const match = /^(?:([\d.]+):)?(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(port);
    if (!match) throw new Error(`cannot read port ${port}`);
    return { hostIp: match[1] ?? '', published: Number(match[2]), target: Number(match[3]) };
  });
}

/** A service's command as words. */
function commandOf(service: ComposeService | undefined): string[] {
  const command = service?.command ?? [];
  return Array.isArray(command) ? command : command.split(/\s+/);
}

/** A compose duration (30s, 1m30s) in milliseconds. */
function durationMs(duration: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+)(ms|s|m|h)/g)) {
    total += Number(amount) * (units[unit ?? ''] ?? NaN);
  }
  return total;
}

const env = environmentOf(tokenServer);

/** The service whose image starts with `prefix`. */
function serviceWithImage(prefix: string): [string, ComposeService] {
  const found = Object.entries(services).find(([, service]) => service.image?.startsWith(prefix));
  if (found === undefined) throw new Error(`no service runs ${prefix}`);
  return found;
}

describe('compose.yaml', () => {
  it('builds the token server from this repository’s Dockerfile', () => {
    const build = tokenServer.build;
    const context = typeof build === 'string' ? build : (build?.context ?? '');
    const dockerfile =
      typeof build === 'string' ? 'Dockerfile' : (build?.dockerfile ?? 'Dockerfile');
    expect(existsSync(join(REPO_ROOT, context, dockerfile))).toBe(true);
  });

  describe('token server', () => {
    it('sets only variables the server reads', () => {
      expect(Object.keys(env).filter((name) => !SERVER_VARIABLES.has(name))).toEqual([]);
    });

    it('gives no secret a literal value but LiveKit’s public dev pair and a password-less Redis URL', () => {
      for (const [name, value] of Object.entries(env).filter(([name]) => isSecretVariable(name))) {
        if (name === 'LIVEKIT_API_SECRET') {
          // Public: `livekit-server --dev` accepts only this pair.
          expect([env.LIVEKIT_API_KEY, value]).toEqual([
            DEVELOPMENT_API_KEY,
            DEVELOPMENT_API_SECRET,
          ]);
        } else if (name === 'REDIS_URL') {
          // No password, so nothing secret: Redis is reachable on the compose network only.
          expect(new URL(value).password).toBe('');
        } else {
          throw new Error(`${name} has a literal value in compose.yaml`);
        }
      }
    });

    it('runs with NODE_ENV=development, since production refuses the dev pair', () => {
      expect(env.NODE_ENV).toBe('development');
      expect(loadConfig(env).production).toBe(false);
      expect(problemsOf({ ...env, NODE_ENV: 'production' }).join('\n')).toContain(
        'development pair',
      );
    });

    it('chooses AUTH_MODE explicitly', () => {
      expect(env.AUTH_MODE).toBeDefined();
      expect(loadConfig(env).auth.mode).toBe(env.AUTH_MODE);
    });

    it('shares rate limits through the Redis service', () => {
      const [redisName] = serviceWithImage('redis:');
      expect(new URL(env.REDIS_URL ?? '').hostname).toBe(redisName);
    });

    it('tells browsers on the host to connect to LiveKit’s published port on localhost', () => {
      const [, livekit] = serviceWithImage('livekit/livekit-server');
      const signalling = portsOf(livekit).find(({ target }) => target === 7880);
      expect(env.LIVEKIT_URL).toBe(`ws://localhost:${signalling?.published}`);
    });

    it('publishes the API and metrics ports the server listens on', () => {
      const targets = portsOf(tokenServer).map(({ target }) => target);
      expect(targets).toEqual(expect.arrayContaining([serverPort(env), metricsPort(env)]));
    });

    it('serves metrics on every interface of the container, so that the published port reaches them', () => {
      const config = loadConfig(env);
      expect(portsOf(tokenServer).map(({ target }) => target)).toContain(config.metricsPort);
      expect(env.METRICS_HOST).toBeDefined();
      expect(EVERY_INTERFACE).toContain(config.metricsHost);
    });

    it('gives the server longer than its drain and in-flight grace to stop', () => {
      expect(durationMs(tokenServer.stop_grace_period ?? '10s')).toBeGreaterThan(
        longestStopMs(env),
      );
    });
  });

  it('publishes every port on 127.0.0.1 only', () => {
    const ports = Object.values(services).flatMap((service) => portsOf(service));
    expect(ports.length).toBeGreaterThan(0);
    expect(ports.filter(({ hostIp }) => hostIp !== '127.0.0.1')).toEqual([]);
  });

  it('runs LiveKit in dev mode, bound to every interface of its container', () => {
    const [name, livekit] = serviceWithImage('livekit/livekit-server');
    expect(name).not.toBe(tokenServerName);
    const command = commandOf(livekit);
    expect(command).toContain('--dev');
    expect(command[command.indexOf('--bind') + 1]).toBe('0.0.0.0');
    const names = Object.keys(environmentOf(livekit));
    expect(names.filter((variable) => !LIVEKIT_CONTAINER_VARIABLES.includes(variable))).toEqual([]);
  });

  it('runs Redis 7 with an append-only file on a volume, so that bans survive its restart', () => {
    const [, redis] = serviceWithImage('redis:');
    expect(redis.image).toBe('redis:7-alpine');
    const command = commandOf(redis);
    expect(command[command.indexOf('--appendonly') + 1]).toBe('yes');
    expect((redis as { volumes?: string[] }).volumes).toEqual(['redis-data:/data']);
    expect(Object.keys(environmentOf(redis))).toEqual([]);
  });
});
