// What the two-process invite tests share: two real server processes over one store (a
// SQLite file in one DATA_DIR, or one Redis), 20 guests racing for a 5-use invite across
// both, and a guest who waits on one while the host admits on the other.
import { TokenVerifier } from 'livekit-server-sdk';
import type { RunningServer } from '../../../support/processes';

/** The caller key both servers take (AUTH_MODE=api-key). */
export const KEY = 'invite-race-key-dddddddddddddddddddddddddd';
/** The LiveKit credentials the servers sign with, as cleanEnv sets them. */
const verifierFor = (apiKey: string, apiSecret: string) => new TokenVerifier(apiKey, apiSecret);

function call(
  server: RunningServer,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
) {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...options.headers },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

/** Makes an invite through `server` as the API-key caller; answers its code and id. */
export async function makeInvite(
  server: RunningServer,
  body: Record<string, unknown>,
): Promise<{ code: string; id: string }> {
  const made = await call(server, 'POST', '/invites', { body, headers: { 'X-API-Key': KEY } });
  expect(made.status).toBe(201);
  return (await made.json()) as { code: string; id: string };
}

/**
 * 20 guests redeem a 5-use invite at once, alternating between the servers: exactly 5
 * get a token LiveKit accepts, the other 15 are told it is used up.
 */
export async function raceForFiveUses(
  servers: readonly RunningServer[],
  livekit: { apiKey: string; apiSecret: string },
): Promise<void> {
  const invite = await makeInvite(servers[0] as RunningServer, { room: 'race', max_uses: 5 });
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, index) =>
      call(servers[index % servers.length] as RunningServer, 'POST', '/connection-details', {
        body: { participant_name: `Guest ${index}` },
        headers: { 'X-Invite-Code': invite.code },
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as {
          participant_token?: string;
          error?: { code: string };
        },
      })),
    ),
  );
  const granted = answers.filter((answer) => answer.status === 201);
  expect(granted).toHaveLength(5);
  expect(
    answers.filter(
      (answer) => answer.status === 410 && answer.body.error?.code === 'INVITE_USED_UP',
    ),
  ).toHaveLength(15);
  const verifier = verifierFor(livekit.apiKey, livekit.apiSecret);
  const identities = new Set<string>();
  for (const answer of granted) {
    const claims = await verifier.verify(answer.body.participant_token as string);
    expect(claims.video?.room).toBe('race');
    identities.add(claims.sub as string);
  }
  expect(identities.size).toBe(5);
}

/**
 * A guest waits through the first server while the host admits it through the second: the
 * guest's long poll on the first answers with connection details, once.
 */
export async function waitOnOneAdmitOnOther(
  [first, second]: readonly RunningServer[],
  livekit: { apiKey: string; apiSecret: string },
): Promise<void> {
  const invite = await makeInvite(first as RunningServer, { room: 'clinic', waiting_room: true });
  const placed = await call(first as RunningServer, 'POST', '/connection-details', {
    body: { participant_name: 'Pat' },
    headers: { 'X-Invite-Code': invite.code },
  });
  expect(placed.status).toBe(202);
  const { lobby } = (await placed.json()) as { lobby: { id: string; poll_token: string } };
  const poll = (server: RunningServer, wait: number) =>
    call(server, 'GET', `/lobby/${lobby.id}?wait=${wait}`, {
      headers: { Authorization: `Bearer ${lobby.poll_token}` },
    }).then(async (response) => ({ status: response.status, body: await response.json() }));
  const waiting = poll(first as RunningServer, 25);
  const listed = await call(second as RunningServer, 'GET', '/rooms/clinic/lobby', {
    headers: { 'X-API-Key': KEY },
  });
  const { waiting: guests } = (await listed.json()) as { waiting: Array<{ id: string }> };
  expect(guests.map((guest) => guest.id)).toEqual([lobby.id]);
  const admitted = await call(
    second as RunningServer,
    'POST',
    `/rooms/clinic/lobby/${lobby.id}/admit`,
    {
      headers: { 'X-API-Key': KEY },
    },
  );
  expect(admitted.status).toBe(200);
  const answered = await waiting;
  expect(answered.status).toBe(200);
  expect(answered.body.lobby.status).toBe('admitted');
  const claims = await verifierFor(livekit.apiKey, livekit.apiSecret).verify(
    answered.body.connection_details.participant_token,
  );
  expect(claims.video?.room).toBe('clinic');
  expect(claims.name).toBe('Pat');
  // The second server's poll finds the details handed out already: one token per guest.
  const again = await poll(second as RunningServer, 0);
  expect(again.body).toEqual({
    lobby: { id: lobby.id, status: 'admitted', expires_at: expect.any(String), collected: true },
  });
}
