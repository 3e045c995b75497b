import { Agent, request } from 'node:http';
import { startServer, type RunningServer } from '../support/processes';

const BODY = JSON.stringify({ user_email: 'ada@example.com', full_name: 'Ada Lovelace' });

/** What became of one request. */
type Outcome = { status: number; connectionClose: boolean } | { error: string };

/** One POST /token on a kept-alive connection of `agent`. */
function postToken(agent: Agent, port: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/token',
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(BODY) },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            connectionClose: res.headers.connection === 'close',
          }),
        );
        res.on('error', (error: NodeJS.ErrnoException) =>
          resolve({ error: error.code ?? 'error' }),
        );
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ error: error.code ?? error.message }),
    );
    req.end(BODY);
  });
}

describe('the server process on SIGTERM under keep-alive load', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ RATE_LIMIT_PER_MINUTE: '0' });
  });

  afterAll(() => {
    server.child.kill('SIGKILL');
  });

  it('answers every request already sent, resets none, and exits 0', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const outcomes: Outcome[] = [];
    const answeredClients = new Set<number>();
    let signalled = false;
    // 32 clients, each sending its next request the moment the last is answered, until the
    // server no longer takes connections. The signal waits until every client has had an
    // answer: a connection still in the kernel's accept queue was never received, and
    // closing the listener resets it whatever the server does.
    const client = async (clientId: number) => {
      for (let sent = 0; sent < 10_000; sent += 1) {
        const outcome = await postToken(agent, server.port);
        outcomes.push(outcome);
        if ('error' in outcome) return;
        answeredClients.add(clientId);
        if (!signalled && outcomes.length >= 300 && answeredClients.size === 32) {
          signalled = true;
          server.child.kill('SIGTERM');
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, (_unused, clientId) => client(clientId)));
    agent.destroy();
    const result = await server.exited();

    const errors = outcomes.flatMap((outcome) => ('error' in outcome ? [outcome.error] : []));
    // Refused connections come after the listener closed: no request was on them.
    const resets = errors.filter((error) => error !== 'ECONNREFUSED');
    expect(signalled).toBe(true);
    expect(resets).toEqual([]);
    expect(outcomes.filter((outcome) => 'status' in outcome && outcome.status !== 200)).toEqual([]);
    // Answers written after the signal tell the client to open no further request there.
    expect(
      outcomes.some((outcome) => 'connectionClose' in outcome && outcome.connectionClose),
    ).toBe(true);
    expect(result.exitCode).toBe(0);
  });
});

describe('the server process with TOKEN_SERVER_WORKERS=2 on SIGTERM, behind a load balancer', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({
      RATE_LIMIT_PER_MINUTE: '0',
      TOKEN_SERVER_WORKERS: '2',
      SHUTDOWN_DRAIN_MS: '1000',
    });
  });

  afterAll(() => {
    server.child.kill('SIGKILL');
  });

  it('answers every request sent before /readyz failed, resets none, and exits 0', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const outcomes: Outcome[] = [];
    // The load balancer: it polls /readyz, and once it fails sends no new request there.
    let draining = false;
    const poller = setInterval(() => {
      fetch(`${server.url}/readyz`).then(
        (response) => {
          if (response.status === 503) draining = true;
        },
        () => {
          draining = true;
        },
      );
    }, 50);
    let signalled = false;
    const client = async () => {
      while (!draining) {
        const outcome = await postToken(agent, server.port);
        outcomes.push(outcome);
        if (!signalled && outcomes.length >= 300) {
          signalled = true;
          server.child.kill('SIGTERM');
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, client));
    clearInterval(poller);
    agent.destroy();
    const result = await server.exited();
    expect(signalled).toBe(true);
    expect(outcomes.filter((outcome) => 'error' in outcome)).toEqual([]);
    expect(outcomes.filter((outcome) => 'status' in outcome && outcome.status !== 200)).toEqual([]);
    expect(result.exitCode).toBe(0);
  }, 30_000);
});
