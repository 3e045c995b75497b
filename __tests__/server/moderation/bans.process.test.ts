// Bans and caps in the real server process, on its SQLite file: they hold across a
// restart, and a DATA_DIR that cannot hold the file stops the start with one clear line.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDataDir } from '../../support/fixtures';
import {
  startServer,
  startProcess,
  cleanEnv,
  SERVER_ENTRY,
  type RunningServer,
} from '../../support/processes';

const KEY = 'moderator-key-bbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const running: RunningServer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

async function serverOn(dataDir: string): Promise<RunningServer> {
  const server = await startServer({
    AUTH_MODE: 'api-key',
    TOKEN_SERVER_API_KEYS: KEY,
    DATA_DIR: dataDir,
  });
  running.push(server);
  return server;
}

function call(server: RunningServer, method: string, path: string, body?: unknown) {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { 'X-API-Key': KEY, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const tokenFor = (server: RunningServer, identity: string) =>
  call(server, 'POST', '/token', { user_id: identity, full_name: identity, room_name: 'lab' });

describe('the server process with moderation on SQLite (DATA_DIR)', () => {
  it('keeps a ban and a cap across a restart', async () => {
    const dataDir = freshDataDir();
    const before = await serverOn(dataDir);
    expect((await call(before, 'POST', '/bans', { identity: 'mallory', room: 'lab' })).status).toBe(
      201,
    );
    expect((await call(before, 'PUT', '/rooms/lab', { max_participants: 1 })).status).toBe(200);
    expect((await tokenFor(before, 'ada')).status).toBe(200);
    await running.splice(0, 1)[0]?.stop();

    const after = await serverOn(dataDir);
    const banned = await tokenFor(after, 'mallory');
    expect(banned.status).toBe(403);
    expect(((await banned.json()) as { error: { code: string } }).error.code).toBe('BANNED');
    // ada's seat is still held (SEAT_HOLD_SECONDS): the room of one is full for grace.
    const full = await tokenFor(after, 'grace');
    expect(((await full.json()) as { error: { code: string } }).error.code).toBe('ROOM_FULL');
  });

  it('refuses to start, exit 1 and one line naming DATA_DIR, where the folder cannot be made', async () => {
    const blocker = join(freshDataDir(), '..', 'a-file');
    writeFileSync(blocker, 'not a folder');
    const server = startProcess(process.execPath, [SERVER_ENTRY], {
      env: cleanEnv({
        TOKEN_SERVER_HOST: '127.0.0.1',
        TOKEN_SERVER_PORT: '0',
        DATA_DIR: join(blocker, 'data'),
      }),
    });
    const result = await server.exited();
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^Moderation store: DATA_DIR .*a-file\/data cannot hold the moderation state/m,
    );
  });
});
