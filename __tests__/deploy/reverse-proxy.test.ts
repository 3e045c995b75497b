// deploy/nginx and deploy/caddy, read as text: they proxy to the server's port, leave the
// metrics port alone, let through every body the server itself accepts, and the settings
// their comments give the server are ones it accepts in production. `nginx -t` and
// `caddy adapt` accepted both files by hand; neither proxy runs in CI.
import { loadConfig } from '../../server/src/config';
import {
  largestBodyBytes,
  METRICS_DEFAULT_PORT,
  notedSettings,
  PRODUCTION_SECRETS,
  readRepoFile,
  SERVER_DEFAULT_PORT,
  sizeBytes,
} from './support/server-facts';

/** A production environment the proxies' notes are added to. */
const PRODUCTION = { NODE_ENV: 'production', AUTH_MODE: 'api-key', ...PRODUCTION_SECRETS };

const proxies = [
  {
    file: 'deploy/nginx/livekit-token-server.conf',
    upstream: /^\s*server\s+([\d.]+:\d+);/m,
    bodyLimit: /^\s*client_max_body_size\s+(\w+);/m,
  },
  {
    file: 'deploy/caddy/Caddyfile',
    upstream: /^\s*reverse_proxy\s+([\d.]+:\d+)/m,
    bodyLimit: /^\s*max_size\s+(\w+)/m,
  },
];

describe.each(proxies)('$file', ({ file, upstream, bodyLimit }) => {
  const text = readRepoFile(file);
  const notes = notedSettings(text);

  it('proxies to the server’s port on loopback, and never to the metrics port', () => {
    expect(upstream.exec(text)?.[1]).toBe(`127.0.0.1:${SERVER_DEFAULT_PORT}`);
    expect(text).not.toContain(`:${METRICS_DEFAULT_PORT}`);
  });

  it('notes a TRUST_PROXY and TOKEN_SERVER_HOST the server accepts in production', () => {
    expect(notes.TRUST_PROXY).toBeDefined();
    expect(notes.TOKEN_SERVER_HOST).toBe('127.0.0.1');
    const config = loadConfig({ ...PRODUCTION, ...notes });
    expect(config.trustProxy).not.toBe(true);
    expect(config.host).toBe('127.0.0.1');
  });

  it('says why TRUST_PROXY=true is not used', () => {
    expect(text).toMatch(/Never TRUST_PROXY=true/);
  });

  it('lets through every body the server accepts, so that it answers 413 itself', () => {
    expect(sizeBytes(bodyLimit.exec(text)?.[1] ?? '')).toBeGreaterThanOrEqual(largestBodyBytes());
  });
});

describe('deploy/nginx/livekit-token-server.conf', () => {
  const text = readRepoFile('deploy/nginx/livekit-token-server.conf');

  it('passes the client address it saw as X-Forwarded-For', () => {
    expect(text).toMatch(
      /proxy_set_header\s+X-Forwarded-For\s+\$(remote_addr|proxy_add_x_forwarded_for);/,
    );
  });

  it('sends every request to the upstream that points at the server', () => {
    const name = /^upstream\s+(\w+)\s*\{/m.exec(text)?.[1];
    expect(text).toContain(`proxy_pass http://${name};`);
  });
});
