import { createServer, type Server } from 'node:net';
import {
  cleanEnv,
  freePort,
  PROCESS_TIMEOUT_MS,
  requireBuilt,
  runProcess,
  SERVER_ENTRY,
  startProcess,
  startServer,
  type ProcessResult,
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

  it('listens for metrics before it announces the API', () => {
    const { stdout } = server.output();
    expect(stdout.indexOf('metrics on')).toBeGreaterThan(-1);
    expect(stdout.indexOf('metrics on')).toBeLessThan(stdout.indexOf('listening on'));
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

/** A port held on 127.0.0.1 by a plain TCP server, as another instance's metrics would. */
function holdPort(): Promise<{ port: number; holder: Server }> {
  return new Promise((resolveHeld, reject) => {
    const holder = createServer();
    holder.on('error', reject);
    holder.listen(0, '127.0.0.1', () => {
      const address = holder.address();
      if (address && typeof address === 'object') resolveHeld({ port: address.port, holder });
      else reject(new Error('no port'));
    });
  });
}

/** Runs the server to its exit with `env`, on a free API port. */
async function runServer(env: Record<string, string>): Promise<ProcessResult> {
  requireBuilt(SERVER_ENTRY);
  return runProcess(process.execPath, [SERVER_ENTRY], {
    env: cleanEnv({
      ...credentials,
      TOKEN_SERVER_HOST: '127.0.0.1',
      TOKEN_SERVER_PORT: String(await freePort()),
      ...env,
    }),
  });
}

describe.each([
  ['one process', {}],
  ['TOKEN_SERVER_WORKERS=2', { TOKEN_SERVER_WORKERS: '2' }],
])('the server process (%s) with a metrics port it cannot listen on', (_label, env) => {
  let port: number;
  let holder: Server;

  beforeAll(async () => {
    ({ port, holder } = await holdPort());
  });

  afterAll(async () => {
    await new Promise((resolveClosed) => holder.close(resolveClosed));
  });

  describe('already in use on METRICS_HOST', () => {
    let result: ProcessResult;

    beforeAll(async () => {
      // METRICS_HOST unset: 127.0.0.1, where the port is held.
      result = await runServer({ ...env, METRICS_PORT: String(port) });
    });

    it('exits 1, naming the port, the interface, and the ways out', () => {
      expect(result.exitCode).toBe(1);
      // The last word, after the configuration's own warnings; not a warning itself.
      expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(
        `Metrics port ${port} is already in use on 127.0.0.1: stop the process using it (often another instance), set METRICS_PORT to a free port, or METRICS_PORT=off to serve no metrics.`,
      );
      expect(result.stderr).not.toContain('WARNING: cannot serve metrics');
    });

    it('announces nothing as listening, and starts no worker', () => {
      expect(result.stdout).not.toContain('listening on');
      expect(result.stdout).not.toContain('metrics on');
      expect(result.stdout).not.toMatch(/worker/i);
    });
  });

  it('exits 1 when METRICS_HOST is not an address of this machine', async () => {
    // 192.0.2.1: TEST-NET-1 (RFC 5737), on no machine's interfaces.
    const result = await runServer({ ...env, METRICS_PORT: '0', METRICS_HOST: '192.0.2.1' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'Cannot serve metrics on 192.0.2.1:0: METRICS_HOST is not an address of this machine',
    );
    expect(result.stderr).toContain('or METRICS_PORT=off to serve no metrics.');
    expect(result.stdout).not.toContain('listening on');
  });

  it('starts with METRICS_PORT=off, the way out its message names, port taken or not', async () => {
    const server = await startServer({ ...credentials, ...env, METRICS_PORT: 'off' });
    try {
      expect(await mint(server.url)).toBe(200);
      expect(server.output().stdout).not.toContain('metrics on');
      expect(server.output().stdout).toMatch(/"metrics_port":"off"/);
    } finally {
      await server.stop();
    }
  });
});
