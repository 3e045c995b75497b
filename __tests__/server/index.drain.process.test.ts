import { startServer } from '../support/processes';

const credentials = {
  LIVEKIT_API_KEY: 'APIdrain',
  LIVEKIT_API_SECRET: 'a-secret-of-at-least-32-characters-for-draining',
};

describe('the server process with SHUTDOWN_DRAIN_MS=1500, on SIGTERM', () => {
  it('answers /readyz 503 at once but keeps serving tokens until the drain ends, then exits 0', async () => {
    const server = await startServer({ ...credentials, SHUTDOWN_DRAIN_MS: '1500' });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    server.child.kill('SIGTERM');
    // Until the handler has run, readiness may still say 200: wait for the 503.
    let ready = 200;
    for (let wait = 0; wait < 50 && ready === 200; wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      ready = (await fetch(`${server.url}/readyz`, { headers: { Connection: 'close' } })).status;
    }
    expect(ready).toBe(503);
    const minted = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Connection: 'close' },
      body: JSON.stringify({ user_email: 'ada@example.com', full_name: 'Ada' }),
    });
    expect(minted.status).toBe(200);
    const result = await server.exited();
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('draining for 1500 ms');
  });
});
