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

const tokenBody = (identity: string, room: string) => ({
  user_id: identity,
  full_name: 'Someone',
  room_name: room,
});

describe('POST /bans', () => {
  describe('by an API-key caller, for one room', () => {
    it('responds 201 with the ban, and /token then answers 403 BANNED for that room only', async () => {
      const app = moderationApp();
      const created = await request(app)
        .post('/bans')
        .set('X-API-Key', MODERATOR_KEY)
        .send({ identity: 'mallory', room: 'lab', reason: 'spam' })
        .expect(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        identity: 'mallory',
        room: 'lab',
        reason: 'spam',
        created_at: expect.any(String),
        expires_at: null,
        created_by: 'api-key:key-1',
      });
      const refused = await request(app)
        .post('/token')
        .set('X-API-Key', MODERATOR_KEY)
        .send(tokenBody('mallory', 'lab'))
        .expect(403);
      expect(refused.body.error.code).toBe('BANNED');
      const elsewhere = await request(app)
        .post('/token')
        .set('X-API-Key', MODERATOR_KEY)
        .send(tokenBody('mallory', 'kitchen'))
        .expect(200);
      const claims = await new TokenVerifier(TEST_API_KEY, TEST_API_SECRET).verify(
        elsewhere.body.token,
      );
      expect(claims.video?.room).toBe('kitchen');
    });
  });

  describe('for every room, for a while', () => {
    it('refuses every room until it expires', async () => {
      const app = moderationApp();
      const created = await request(app)
        .post('/bans')
        .set('X-API-Key', MODERATOR_KEY)
        .send({ identity: 'mallory', duration_seconds: 3600 })
        .expect(201);
      expect(created.body.room).toBeNull();
      expect(Date.parse(created.body.expires_at) - Date.parse(created.body.created_at)).toBe(
        3_600_000,
      );
      for (const room of ['lab', 'kitchen']) {
        const refused = await request(app)
          .post('/token')
          .set('X-API-Key', MODERATOR_KEY)
          .send(tokenBody('mallory', room))
          .expect(403);
        expect(refused.body.error.code).toBe('BANNED');
      }
    });
  });

  describe('with a LiveKit host token', () => {
    it('bans in its own room, in AUTH_MODE=none too, and names the host as created_by', async () => {
      const app = moderationApp({ AUTH_MODE: 'none' });
      const host = await livekitToken('lab', { identity: 'dr-who' });
      const created = await request(app)
        .post('/bans')
        .set('Authorization', `Bearer ${host}`)
        .send({ identity: 'mallory', room: 'lab' })
        .expect(201);
      expect(created.body.created_by).toBe('livekit:dr-who');
      const token = await request(app).post('/token').send(tokenBody('mallory', 'lab')).expect(403);
      expect(token.body.error.code).toBe('BANNED');
    });

    it('responds 403 NOT_A_MODERATOR for another room, or for every room', async () => {
      const app = moderationApp();
      const host = await livekitToken('lab');
      for (const body of [{ identity: 'mallory', room: 'kitchen' }, { identity: 'mallory' }]) {
        const refused = await request(app)
          .post('/bans')
          .set('Authorization', `Bearer ${host}`)
          .send(body)
          .expect(403);
        expect(refused.body.error.code).toBe('NOT_A_MODERATOR');
      }
    });

    it('responds 403 NOT_A_MODERATOR to a participant token (no roomAdmin)', async () => {
      const app = moderationApp();
      const participant = await livekitToken('lab', { roomAdmin: false });
      const refused = await request(app)
        .post('/bans')
        .set('Authorization', `Bearer ${participant}`)
        .send({ identity: 'mallory', room: 'lab' })
        .expect(403);
      expect(refused.body.error.code).toBe('NOT_A_MODERATOR');
    });

    it('responds 401 INVALID_CREDENTIALS to an expired or wrongly signed host token', async () => {
      const app = moderationApp();
      const wrong = await livekitToken('lab', {
        secret: 'another-secret-that-is-long-enough-123456',
      });
      const refused = await request(app)
        .post('/bans')
        .set('Authorization', `Bearer ${wrong}`)
        .send({ identity: 'mallory', room: 'lab' })
        .expect(401);
      expect(refused.body.error.code).toBe('INVALID_CREDENTIALS');
      expect(JSON.stringify(refused.body)).not.toContain(wrong);
    });
  });

  describe('by anyone else', () => {
    it('responds 403 NOT_A_MODERATOR to an anonymous caller in AUTH_MODE=none', async () => {
      const app = moderationApp({ AUTH_MODE: 'none' });
      const refused = await request(app).post('/bans').send({ identity: 'mallory' }).expect(403);
      expect(refused.body.error.code).toBe('NOT_A_MODERATOR');
    });

    it('responds 401 without credentials in AUTH_MODE=api-key', async () => {
      const app = moderationApp();
      const refused = await request(app).post('/bans').send({ identity: 'mallory' }).expect(401);
      expect(refused.body.error.code).toBe('AUTHENTICATION_REQUIRED');
    });
  });

  describe('with a bad body', () => {
    it.each([
      [{}, 'identity'],
      [{ identity: '' }, 'identity'],
      [{ identity: 'a', duration_seconds: 0 }, 'duration_seconds'],
      [{ identity: 'a', duration_seconds: 1.5 }, 'duration_seconds'],
      [{ identity: 'a', room: 'x\u200by' }, 'room'],
      [{ identity: 'a', extra: true }, 'extra'],
    ])('responds 400 VALIDATION_ERROR for %j', async (body, field) => {
      const app = moderationApp();
      const refused = await request(app)
        .post('/bans')
        .set('X-API-Key', MODERATOR_KEY)
        .send(body)
        .expect(400);
      expect(refused.body.error.code).toBe('VALIDATION_ERROR');
      expect(refused.body.error.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field })]),
      );
    });
  });
});

describe('GET /bans', () => {
  it('lists the bans in force, by room and identity, and not expired ones', async () => {
    const app = moderationApp();
    const ban = (body: object) =>
      request(app).post('/bans').set('X-API-Key', MODERATOR_KEY).send(body).expect(201);
    await ban({ identity: 'mallory', room: 'lab' });
    await ban({ identity: 'eve', room: 'kitchen' });
    await ban({ identity: 'eve' });
    const list = (query: string) =>
      request(app).get(`/bans${query}`).set('X-API-Key', MODERATOR_KEY).expect(200);
    expect((await list('')).body.bans).toHaveLength(3);
    expect(
      (await list('?room=lab')).body.bans.map((b: { identity: string }) => b.identity),
    ).toEqual(['mallory']);
    expect((await list('?identity=eve')).body.bans).toHaveLength(2);
  });

  it('lets a host token list its own room only', async () => {
    const app = moderationApp();
    const host = await livekitToken('lab');
    await request(app).get('/bans?room=lab').set('Authorization', `Bearer ${host}`).expect(200);
    const refused = await request(app)
      .get('/bans')
      .set('Authorization', `Bearer ${host}`)
      .expect(403);
    expect(refused.body.error.code).toBe('NOT_A_MODERATOR');
  });

  it('answers a page at a time: 100 unless limit says, next as after, none on the last', async () => {
    const app = moderationApp({ MODERATION_RATE_LIMIT_PER_MINUTE: '0' });
    for (let index = 0; index < 102; index += 1) {
      await request(app)
        .post('/bans')
        .set('X-API-Key', MODERATOR_KEY)
        .send({ identity: `eve-${index}`, room: index % 2 === 0 ? 'lab' : 'kitchen' })
        .expect(201);
    }
    const list = (query: string) =>
      request(app).get(`/bans${query}`).set('X-API-Key', MODERATOR_KEY).expect(200);
    const identities = (body: { bans: Array<{ identity: string }> }) =>
      body.bans.map((ban) => ban.identity);
    const whole = (await list('?limit=1000')).body;
    expect(whole.next).toBeUndefined();
    expect(identities(whole)).toEqual(Array.from({ length: 102 }, (_, index) => `eve-${index}`));

    const first = (await list('')).body;
    expect(first.bans).toHaveLength(100);
    expect(first.next).toBe(`${Date.parse(first.bans[99].created_at)}.${first.bans[99].id}`);
    const rest = (await list(`?after=${first.next}`)).body;
    expect(rest.next).toBeUndefined();
    expect([...identities(first), ...identities(rest)]).toEqual(identities(whole));

    // By room, 20 a page, following next to the end.
    const lab: string[] = [];
    let after = '';
    for (let pages = 1; ; pages += 1) {
      const page = (await list(`?room=lab&limit=20${after}`)).body;
      lab.push(...identities(page));
      if (page.next === undefined) {
        expect(pages).toBe(3);
        break;
      }
      after = `&after=${encodeURIComponent(page.next)}`;
    }
    expect(lab).toEqual(identities(whole).filter((_, index) => index % 2 === 0));
  });

  it.each([
    ['a limit of 0', 'limit=0', 'limit'],
    ['a limit over 1000', 'limit=1001', 'limit'],
    ['a limit that is no number', 'limit=ten', 'limit'],
    ['a cursor it did not give', 'after=nope', 'after'],
    ['a cursor without a ban id', 'after=1700000000000.not-a-ban', 'after'],
    ['a cursor given twice', 'after=1.a&after=2.b', 'after'],
  ])('responds 400 VALIDATION_ERROR naming the parameter to %s', async (_, query, field) => {
    const app = moderationApp();
    const refused = await request(app)
      .get(`/bans?${query}`)
      .set('X-API-Key', MODERATOR_KEY)
      .expect(400);
    expect(refused.body.error.code).toBe('VALIDATION_ERROR');
    expect(refused.body.error.details).toEqual([expect.objectContaining({ field })]);
  });

  it('responds 400 VALIDATION_ERROR to a room given twice', async () => {
    const app = moderationApp();
    const refused = await request(app)
      .get('/bans?room=a&room=b')
      .set('X-API-Key', MODERATOR_KEY)
      .expect(400);
    expect(refused.body.error.code).toBe('VALIDATION_ERROR');
  });
});

describe('DELETE /bans/{id}', () => {
  it('lifts the ban: 204, then tokens again; a second delete is 404 BAN_NOT_FOUND', async () => {
    const app = moderationApp();
    const { body: ban } = await request(app)
      .post('/bans')
      .set('X-API-Key', MODERATOR_KEY)
      .send({ identity: 'mallory', room: 'lab' })
      .expect(201);
    await request(app).delete(`/bans/${ban.id}`).set('X-API-Key', MODERATOR_KEY).expect(204);
    await request(app)
      .post('/token')
      .set('X-API-Key', MODERATOR_KEY)
      .send(tokenBody('mallory', 'lab'))
      .expect(200);
    const again = await request(app)
      .delete(`/bans/${ban.id}`)
      .set('X-API-Key', MODERATOR_KEY)
      .expect(404);
    expect(again.body.error.code).toBe('BAN_NOT_FOUND');
  });

  it('responds 404 BAN_NOT_FOUND to an id that is no UUID', async () => {
    const app = moderationApp();
    const refused = await request(app)
      .delete('/bans/..%2F..%2Fetc')
      .set('X-API-Key', MODERATOR_KEY)
      .expect(404);
    expect(refused.body.error.code).toBe('BAN_NOT_FOUND');
  });

  it("refuses a host token another room's ban, and keeps the ban", async () => {
    const app = moderationApp();
    const { body: ban } = await request(app)
      .post('/bans')
      .set('X-API-Key', MODERATOR_KEY)
      .send({ identity: 'mallory', room: 'kitchen' })
      .expect(201);
    const host = await livekitToken('lab');
    const refused = await request(app)
      .delete(`/bans/${ban.id}`)
      .set('Authorization', `Bearer ${host}`)
      .expect(403);
    expect(refused.body.error.code).toBe('NOT_A_MODERATOR');
    await request(app)
      .post('/token')
      .set('X-API-Key', MODERATOR_KEY)
      .send(tokenBody('mallory', 'kitchen'))
      .expect(403);
  });
});
