// The lobby through the app: a waiting-room invite gives the guest a place (202) and a poll
// token; the room's moderators list, admit and deny; the guest's poll gets its connection
// details once, which TokenVerifier accepts for the right room and role.
import request from 'supertest';
import { TokenVerifier } from 'livekit-server-sdk';
import { TEST_API_KEY, TEST_API_SECRET } from '../../support/fixtures';
import {
  closeModerationApps,
  livekitToken,
  moderationApp,
  MODERATOR_KEY,
} from '../../support/moderation';
import type { Express } from 'express';

afterEach(closeModerationApps);

const verifier = new TokenVerifier(TEST_API_KEY, TEST_API_SECRET);
const LIVEKIT_URL = 'wss://livekit.example.test';

interface Waiting {
  id: string;
  pollToken: string;
}

/** Makes a waiting-room invite for `room` and redeems it as a guest named `name`. */
async function waitInLobby(
  app: Express,
  room: string,
  name = 'Guest',
  invite: Record<string, unknown> = {},
): Promise<Waiting> {
  const made = await request(app)
    .post('/invites')
    .set('X-API-Key', MODERATOR_KEY)
    .send({ room, waiting_room: true, ...invite })
    .expect(201);
  const placed = await request(app)
    .post('/connection-details')
    .set('X-Invite-Code', made.body.code)
    .send({ participant_name: name })
    .expect(202);
  expect(placed.body).toEqual({
    lobby: {
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      poll_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      status: 'waiting',
      expires_at: expect.any(String),
    },
  });
  return { id: placed.body.lobby.id, pollToken: placed.body.lobby.poll_token };
}

function poll(app: Express, { id, pollToken }: Waiting, wait?: number) {
  const test = request(app).get(`/lobby/${id}`).set('Authorization', `Bearer ${pollToken}`);
  return wait === undefined ? test : test.query({ wait });
}

function decide(app: Express, room: string, id: string, decision: 'admit' | 'deny', auth?: string) {
  return request(app)
    .post(`/rooms/${room}/lobby/${id}/${decision}`)
    .set(auth === undefined ? { 'X-API-Key': MODERATOR_KEY } : { Authorization: auth });
}

describe('the lobby', () => {
  it('keeps a guest waiting until admitted, then hands its connection details once', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    const guest = await waitInLobby(app, 'clinic-7', 'Pat', { role: 'viewer' });
    expect((await poll(app, guest).expect(200)).body.lobby.status).toBe('waiting');
    const listed = await request(app)
      .get('/rooms/clinic-7/lobby')
      .set('X-API-Key', MODERATOR_KEY)
      .expect(200);
    expect(listed.body.waiting).toEqual([
      {
        id: guest.id,
        identity: expect.stringMatching(/^guest-/),
        name: 'Pat',
        role: 'viewer',
        since: expect.any(String),
        expires_at: expect.any(String),
      },
    ]);
    const admitted = await decide(app, 'clinic-7', guest.id, 'admit').expect(200);
    expect(admitted.body).toMatchObject({
      id: guest.id,
      status: 'admitted',
      decided_by: 'api-key:key-1',
    });
    const collected = await poll(app, guest).expect(200);
    expect(collected.body.lobby.status).toBe('admitted');
    const details = collected.body.connection_details;
    expect(details).toMatchObject({
      server_url: LIVEKIT_URL,
      room_name: 'clinic-7',
      participant_name: 'Pat',
      role: 'viewer',
    });
    const claims = await verifier.verify(details.participant_token);
    expect(claims.sub).toBe(listed.body.waiting[0].identity);
    expect(claims.video).toMatchObject({ room: 'clinic-7', canPublish: false });
    const again = await poll(app, guest).expect(200);
    expect(again.body).toEqual({
      lobby: { id: guest.id, status: 'admitted', expires_at: expect.any(String), collected: true },
    });
    const empty = await request(app).get('/rooms/clinic-7/lobby').set('X-API-Key', MODERATOR_KEY);
    expect(empty.body.waiting).toEqual([]);
  });

  it('answers a long poll as soon as the guest is admitted', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    const guest = await waitInLobby(app, 'lab');
    const waiting = poll(app, guest, 25).then((response) => response);
    // The decision comes while the poll waits: the poll then answers with it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await decide(app, 'lab', guest.id, 'admit').expect(200);
    const answered = await waiting;
    expect(answered.status).toBe(200);
    expect(answered.body.lobby.status).toBe('admitted');
    await verifier.verify(answered.body.connection_details.participant_token);
  });

  it('tells a denied guest so, with no token, and decides once', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    const guest = await waitInLobby(app, 'lab');
    await decide(app, 'lab', guest.id, 'deny').expect(200);
    const denied = await poll(app, guest).expect(200);
    expect(denied.body).toEqual({
      lobby: { id: guest.id, status: 'denied', expires_at: expect.any(String) },
    });
    const twice = await decide(app, 'lab', guest.id, 'admit').expect(404);
    expect(twice.body.error.code).toBe('LOBBY_ENTRY_NOT_FOUND');
  });

  it('expires a guest who waited too long, who can then be admitted no more', async () => {
    let now = Date.now();
    const app = moderationApp({ LIVEKIT_URL, LOBBY_WAIT_SECONDS: '60' }, { now: () => now });
    const guest = await waitInLobby(app, 'lab');
    now += 60_000;
    expect((await poll(app, guest).expect(200)).body.lobby.status).toBe('expired');
    const late = await decide(app, 'lab', guest.id, 'admit').expect(404);
    expect(late.body.error.code).toBe('LOBBY_ENTRY_NOT_FOUND');
    const listed = await request(app).get('/rooms/lab/lobby').set('X-API-Key', MODERATOR_KEY);
    expect(listed.body.waiting).toEqual([]);
  });

  it('refuses a missing or wrong poll token with 401, and an unknown entry with 404', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    const guest = await waitInLobby(app, 'lab');
    const missing = await request(app).get(`/lobby/${guest.id}`).expect(401);
    expect(missing.body.error.code).toBe('INVALID_POLL_TOKEN');
    const wrong = await poll(app, { id: guest.id, pollToken: 'x'.repeat(43) }).expect(401);
    expect(wrong.body.error.code).toBe('INVALID_POLL_TOKEN');
    const unknown = await poll(app, { ...guest, id: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('LOBBY_ENTRY_NOT_FOUND');
    const malformed = await poll(app, { ...guest, id: 'not-an-id' }).expect(404);
    expect(malformed.body.error.code).toBe('LOBBY_ENTRY_NOT_FOUND');
    const badWait = await poll(app, guest, 26).expect(400);
    expect(badWait.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('lets a LiveKit host token decide in its own room only', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    const guest = await waitInLobby(app, 'clinic-7');
    const elsewhere = `Bearer ${await livekitToken('clinic-8')}`;
    const refused = await decide(app, 'clinic-7', guest.id, 'admit', elsewhere).expect(403);
    expect(refused.body.error.code).toBe('NOT_A_MODERATOR');
    const wrongRoom = await decide(app, 'clinic-8', guest.id, 'admit', elsewhere).expect(404);
    expect(wrongRoom.body.error.code).toBe('LOBBY_ENTRY_NOT_FOUND');
    const host = `Bearer ${await livekitToken('clinic-7')}`;
    const listed = await request(app).get('/rooms/clinic-7/lobby').set('Authorization', host);
    expect(listed.body.waiting.map((entry: { id: string }) => entry.id)).toEqual([guest.id]);
    const admitted = await decide(app, 'clinic-7', guest.id, 'admit', host).expect(200);
    expect(admitted.body.decided_by).toBe('livekit:host-1');
  });

  it('refuses a guest banned while waiting at collection, and lets it poll again once lifted', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    const guest = await waitInLobby(app, 'lab', 'Mal', { identity: 'mallory' });
    await decide(app, 'lab', guest.id, 'admit').expect(200);
    const ban = await request(app)
      .post('/bans')
      .set('X-API-Key', MODERATOR_KEY)
      .send({ identity: 'mallory', room: 'lab' })
      .expect(201);
    expect((await poll(app, guest).expect(403)).body.error.code).toBe('BANNED');
    await request(app)
      .delete(`/bans/${ban.body.id as string}`)
      .set('X-API-Key', MODERATOR_KEY)
      .expect(204);
    const collected = await poll(app, guest).expect(200);
    expect((await verifier.verify(collected.body.connection_details.participant_token)).sub).toBe(
      'mallory',
    );
  });

  it('refuses a banned guest before it waits', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    await request(app)
      .post('/bans')
      .set('X-API-Key', MODERATOR_KEY)
      .send({ identity: 'mallory' })
      .expect(201);
    const made = await request(app)
      .post('/invites')
      .set('X-API-Key', MODERATOR_KEY)
      .send({ room: 'lab', waiting_room: true, identity: 'mallory' })
      .expect(201);
    const refused = await request(app)
      .post('/connection-details')
      .set('X-Invite-Code', made.body.code)
      .send({})
      .expect(403);
    expect(refused.body.error.code).toBe('BANNED');
  });
});
