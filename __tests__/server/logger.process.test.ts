import { readFileSync } from 'node:fs';
import { startServer, type RunningServer } from '../support/processes';

// The server's stdout is a pipe here, as under a log shipper or `| head`: these tests close
// its reader, or never read it, and the server must go on serving either way.

const credentials = {
  LIVEKIT_API_KEY: 'APIlogger',
  LIVEKIT_API_SECRET: 'a-secret-of-at-least-32-characters-for-the-logger',
  // Every request below must be answered, not refused for its rate.
  RATE_LIMIT_PER_MINUTE: '0',
};

async function postToken(url: string): Promise<number> {
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user_email: 'ada@example.com', full_name: 'Ada', room_name: 'lab' }),
  });
  await response.text();
  return response.status;
}

/** The process's resident memory, in KiB, from /proc. */
function residentKiB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match?.[1]) throw new Error(`no VmRSS for ${String(pid)}`);
  return Number(match[1]);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How many times `pattern` occurs in `text`. */
function occurrences(text: string, pattern: RegExp): number {
  return text.match(new RegExp(pattern.source, 'g'))?.length ?? 0;
}

describe('the server process whose stdout reader goes away', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer(credentials);
    // As `| head` does once it has its lines: the read end of the pipe is closed.
    server.child.stdout?.destroy();
  });

  afterAll(async () => {
    if (server.child.exitCode === null) await server.stop();
  });

  it('keeps answering requests, whose log lines now fail to be written', async () => {
    // Several log batches (written every 100 ms), each one a write to the closed pipe.
    for (let batch = 0; batch < 5; batch += 1) {
      expect(await postToken(server.url)).toBe(200);
      await pause(150);
    }
    expect(server.child.exitCode).toBeNull();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('says once on stderr that the log lines are lost', () => {
    const { stderr } = server.output();
    expect(occurrences(stderr, /stdout is closed \(EPIPE\)/)).toBe(1);
    expect(stderr).not.toMatch(/Error: write EPIPE/);
  });
});

describe('the server process whose stdout nobody reads', () => {
  // Each request logs its path: these long ones make each line about 8 KB, so that what
  // piles up without a bound (tens of MB) stands out of the noise of memory use.
  const longPath = `/${'stalled/'.repeat(1_000)}`;
  const requests = 6_000;
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer(credentials);
    // Reading stops: once the pipe's buffer fills, every write queues in the server.
    server.child.stdout?.pause();
  });

  afterAll(async () => {
    if (server.child.exitCode === null) await server.stop();
  });

  /** Sends `count` requests, 50 at a time; the number of answers by status. */
  async function send(count: number): Promise<Record<number, number>> {
    const statuses: Record<number, number> = {};
    for (let sent = 0; sent < count; sent += 50) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => fetch(`${server.url}${longPath}`)),
      );
      for (const answer of answers) {
        await answer.arrayBuffer();
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      }
    }
    return statuses;
  }

  it('keeps answering, and its memory stays bounded', async () => {
    // The same load first, so that the comparison leaves out the memory that serving it
    // takes once the server is warm (its heap grows to a size it then keeps).
    expect(await send(4_000)).toEqual({ 404: 4_000 });
    await pause(300);
    const before = residentKiB(server.child.pid);
    expect(await send(requests)).toEqual({ 404: requests });
    await pause(300);
    const grownKiB = residentKiB(server.child.pid) - before;
    expect(await postToken(server.url)).toBe(200);
    // Unbounded, it grew by about 80 MB (6,000 lines of 8 KB queued); bounded, by 1 or 2.
    expect(grownKiB).toBeLessThan(16 * 1024);
    expect(occurrences(server.output().stderr, /stdout is not being read/)).toBe(1);
  }, 60_000);
});
