import {
  cleanEnv,
  PROCESS_TIMEOUT_MS,
  requireBuilt,
  SERVER_ENTRY,
  startProcess,
  startServer,
  type RunningProcess,
  type RunningServer,
} from '../support/processes';

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

/** Resolves with the match once `pattern` is in the process's stdout; rejects if it exits. */
function waitForStdout(running: RunningProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolveMatch, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} in ${JSON.stringify(running.output())}`)),
      PROCESS_TIMEOUT_MS,
    );
    const check = () => {
      const match = pattern.exec(running.output().stdout);
      if (match) {
        clearTimeout(timer);
        resolveMatch(match);
      }
    };
    running.child.stdout?.on('data', check);
    check();
    running.child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`the server exited: ${JSON.stringify(running.output())}`));
    });
  });
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

describe.each([
  ['one process', {}],
  ['TOKEN_SERVER_WORKERS=2', { TOKEN_SERVER_WORKERS: '2' }],
])('the server process (%s) on TOKEN_SERVER_HOST=0.0.0.0, METRICS_HOST unset', (_label, env) => {
  let running: RunningProcess;
  let apiPort: number;
  let metricsPort: number;

  beforeAll(async () => {
    requireBuilt(SERVER_ENTRY);
    // METRICS_PORT=0 (cleanEnv's): a free port, on the default interface.
    running = startProcess(process.execPath, [SERVER_ENTRY], {
      env: cleanEnv({
        ...credentials,
        ...env,
        TOKEN_SERVER_HOST: '0.0.0.0',
        TOKEN_SERVER_PORT: '0',
      }),
    });
    const [api, metrics] = await Promise.all([
      waitForStdout(running, /listening on http:\/\/0\.0\.0\.0:(\d+)/),
      waitForStdout(running, /metrics on http:\/\/([^"/]+):(\d+)\/metrics/),
    ]);
    apiPort = Number(api[1]);
    expect(metrics[1]).toBe('127.0.0.1');
    metricsPort = Number(metrics[2]);
  });

  afterAll(async () => {
    running.child.kill('SIGTERM');
    await running.exited();
  });

  it('serves metrics on 127.0.0.1, not on the server’s own host', async () => {
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(response.status).toBe(200);
    expect(running.output().stdout).toContain(`metrics on http://127.0.0.1:${metricsPort}/metrics`);
  });

  it('cannot be reached on another address of this machine, where the API can', async () => {
    // 127.0.0.2 is this machine too (Linux routes all of 127/8 to loopback): the API,
    // bound to every interface, answers there; metrics, bound to 127.0.0.1 only, do not.
    const api = await fetch(`http://127.0.0.2:${apiPort}/healthz`);
    expect(api.status).toBe(200);
    await expect(fetch(`http://127.0.0.2:${metricsPort}/metrics`)).rejects.toMatchObject({
      cause: expect.objectContaining({ code: 'ECONNREFUSED' }),
    });
  });
});
