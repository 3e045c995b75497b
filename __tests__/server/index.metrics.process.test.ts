import { startServer, type RunningServer } from '../support/processes';

const credentials = {
  LIVEKIT_API_KEY: 'APImetrics',
  LIVEKIT_API_SECRET: 'a-secret-of-at-least-32-characters-for-metrics',
};

/** Where the process said its metrics listener is. */
function metricsUrl(server: RunningServer): string {
  const match = /metrics on (http:\/\/[^"]+\/metrics)/.exec(server.output().stdout);
  if (!match?.[1]) throw new Error(`no metrics line in ${server.output().stdout}`);
  return match[1];
}

async function mint(url: string): Promise<number> {
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Connection: 'close' },
    body: JSON.stringify({
      user_email: 'ada@example.com',
      full_name: 'Ada',
      room_name: 'secret-room',
    }),
  });
  await response.text();
  return response.status;
}

describe.each([
  ['one process', {}],
  ['TOKEN_SERVER_WORKERS=2', { TOKEN_SERVER_WORKERS: '2' }],
])('the server process (%s) with METRICS_PORT', (_label, env) => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ ...credentials, ...env });
    // The metrics line may follow the listening line by a moment.
    for (let wait = 0; wait < 50 && !/metrics on/.test(server.output().stdout); wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    await server.stop();
  });

  it('serves Prometheus text on its own port, with the sum of every worker', async () => {
    for (let request = 0; request < 6; request += 1) expect(await mint(server.url)).toBe(200);
    const response = await fetch(metricsUrl(server));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(
      /livekit_token_server_tokens_issued_total\{route="\/token",role="participant"\} 6/,
    );
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).not.toContain('ada@example.com');
    expect(text).not.toContain('secret-room');
  });

  it('does not serve /metrics on the public port', async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(404);
  });
});
