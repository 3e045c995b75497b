import request from 'supertest';
import { TokenVerifier } from 'livekit-server-sdk';
import { TEST_API_KEY, TEST_API_SECRET } from '../../support/fixtures';
import {
  closeModerationApps,
  livekitToken,
  moderationApp,
  MODERATOR_KEY,
} from '../../support/moderation';

afterEach(closeModerationApps);

function tokenFor(app: Parameters<typeof request>[0], identity: string, role?: string) {
  return request(app)
    .post('/token')
    .set('X-API-Key', MODERATOR_KEY)
    .send({ user_id: identity, full_name: identity, room_name: 'lab', ...(role ? { role } : {}) });
}

describe('PUT /rooms/{room}', () => {
  it('caps the room: the third token gets 409 ROOM_FULL, and tokens carry the cap', async () => {
    const app = moderationApp();
    const room = await request(app)
      .put('/rooms/lab')
      .set('X-API-Key', MODERATOR_KEY)
      .send({ max_participants: 2 })
      .expect(200);
    expect(room.body).toMatchObject({
      room: 'lab',
      max_participants: 2,
      max_participants_from: 'room',
    });
    const first = await tokenFor(app, 'ada').expect(200);
    const claims = await new TokenVerifier(TEST_API_KEY, TEST_API_SECRET).verify(first.body.token);
    expect(claims.roomConfig?.maxParticipants).toBe(2);
    await tokenFor(app, 'grace').expect(200);
    const full = await tokenFor(app, 'linus').expect(409);
    expect(full.body.error.code).toBe('ROOM_FULL');
  });

  it('gives an identity that holds a seat its token again, taking no second seat', async () => {
    const app = moderationApp();
    await request(app)
      .put('/rooms/lab')
      .set('X-API-Key', MODERATOR_KEY)
      .send({ max_participants: 1 })
      .expect(200);
    await tokenFor(app, 'ada').expect(200);
    await tokenFor(app, 'ada').expect(200);
    expect((await tokenFor(app, 'grace').expect(409)).body.error.code).toBe('ROOM_FULL');
    const shown = await request(app).get('/rooms/lab').set('X-API-Key', MODERATOR_KEY).expect(200);
    expect(shown.body).toMatchObject({ seats_held: ['ada'], seats_used: 1, participants: [] });
  });

  it('clears the cap with null, back to ROOM_MAX_PARTICIPANTS', async () => {
    const app = moderationApp({ ROOM_MAX_PARTICIPANTS: '5' });
    const put = (max: number | null) =>
      request(app)
        .put('/rooms/lab')
        .set('X-API-Key', MODERATOR_KEY)
        .send({ max_participants: max })
        .expect(200);
    expect((await put(1)).body).toMatchObject({ max_participants: 1 });
    expect((await put(null)).body).toMatchObject({
      max_participants: 5,
      max_participants_from: 'ROOM_MAX_PARTICIPANTS',
    });
  });

  it.each([
    [{}],
    [{ max_participants: 0 }],
    [{ max_participants: 'ten' }],
    [{ max_participants: 2.5 }],
  ])('responds 400 VALIDATION_ERROR to %j', async (body) => {
    const app = moderationApp();
    const refused = await request(app)
      .put('/rooms/lab')
      .set('X-API-Key', MODERATOR_KEY)
      .send(body)
      .expect(400);
    expect(refused.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('lets a host token cap its own room, and no other', async () => {
    const app = moderationApp();
    const host = await livekitToken('lab');
    await request(app)
      .put('/rooms/lab')
      .set('Authorization', `Bearer ${host}`)
      .send({ max_participants: 3 })
      .expect(200);
    const refused = await request(app)
      .put('/rooms/kitchen')
      .set('Authorization', `Bearer ${host}`)
      .send({ max_participants: 3 })
      .expect(403);
    expect(refused.body.error.code).toBe('NOT_A_MODERATOR');
  });
});

describe('ROOM_MAX_PARTICIPANTS', () => {
  it('caps every room; roles whose grant is hidden take no seat', async () => {
    const app = moderationApp({ ROOM_MAX_PARTICIPANTS: '1' });
    await tokenFor(app, 'ada').expect(200);
    expect((await tokenFor(app, 'grace').expect(409)).body.error.code).toBe('ROOM_FULL');
  });
});

describe('DUPLICATE_IDENTITY=refuse', () => {
  it('answers 409 IDENTITY_IN_USE only once the identity is in the room', async () => {
    const app = moderationApp({ DUPLICATE_IDENTITY: 'refuse' });
    // Holding a seat is no connection yet: a retry gets its token again.
    await tokenFor(app, 'ada').expect(200);
    await tokenFor(app, 'ada').expect(200);
  });
});

describe('GET /rooms/{room}/audit', () => {
  it('records each token issued (never the token) and each moderation act, oldest first, paged', async () => {
    const app = moderationApp();
    const issued = await tokenFor(app, 'ada').expect(200);
    await request(app)
      .post('/bans')
      .set('X-API-Key', MODERATOR_KEY)
      .send({ identity: 'mallory', room: 'lab' })
      .expect(201);
    const all = await request(app)
      .get('/rooms/lab/audit')
      .set('X-API-Key', MODERATOR_KEY)
      .expect(200);
    expect(all.body.entries.map((entry: { event: string }) => entry.event)).toEqual([
      'token_issued',
      'ban_added',
    ]);
    expect(all.body.entries[0]).toMatchObject({
      identity: 'ada',
      actor: 'api-key:key-1',
      request_id: issued.headers['x-request-id'],
      details: { role: 'participant', route: '/token', expires_at: issued.body.expires_at },
    });
    expect(JSON.stringify(all.body)).not.toContain(issued.body.token);
    const first = await request(app)
      .get('/rooms/lab/audit?limit=1')
      .set('X-API-Key', MODERATOR_KEY)
      .expect(200);
    expect(first.body.entries).toHaveLength(1);
    expect(first.body.next).toEqual(expect.any(String));
    const second = await request(app)
      .get(`/rooms/lab/audit?limit=1&after=${encodeURIComponent(first.body.next)}`)
      .set('X-API-Key', MODERATOR_KEY)
      .expect(200);
    expect(second.body.entries.map((entry: { event: string }) => entry.event)).toEqual([
      'ban_added',
    ]);
  });

  it('filters by identity and time', async () => {
    const app = moderationApp();
    await tokenFor(app, 'ada').expect(200);
    await tokenFor(app, 'grace').expect(200);
    const byIdentity = await request(app)
      .get('/rooms/lab/audit?identity=grace')
      .set('X-API-Key', MODERATOR_KEY)
      .expect(200);
    expect(byIdentity.body.entries.map((e: { identity: string }) => e.identity)).toEqual(['grace']);
    const future = new Date(Date.now() + 60_000).toISOString();
    const none = await request(app)
      .get(`/rooms/lab/audit?since=${future}`)
      .set('X-API-Key', MODERATOR_KEY)
      .expect(200);
    expect(none.body.entries).toEqual([]);
  });

  it.each(['since=yesterday', 'limit=0', 'limit=1001', 'after=%20'])(
    'responds 400 VALIDATION_ERROR to ?%s',
    async (query) => {
      const app = moderationApp();
      const refused = await request(app)
        .get(`/rooms/lab/audit?${query}`)
        .set('X-API-Key', MODERATOR_KEY)
        .expect(400);
      expect(refused.body.error.code).toBe('VALIDATION_ERROR');
    },
  );
});
