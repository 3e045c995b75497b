// Invites end to end through the app (AUTH_MODE=api-key, a real SQLite file per app): made
// by moderators, redeemed by guests with no credentials but the code, each token checked
// by livekit-server-sdk's TokenVerifier; every refusal with its code.
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
import { lifecycleOf } from '../../../server/src/app';

afterEach(closeModerationApps);

const verifier = new TokenVerifier(TEST_API_KEY, TEST_API_SECRET);
const LIVEKIT_URL = 'wss://livekit.example.test';
/** Four groups of four letters, none of i, l, o. */
const CODE_SHAPE = /^[a-hjkmnp-z]{4}(-[a-hjkmnp-z]{4}){3}$/;

function invite(app: Express, body: Record<string, unknown>, key = MODERATOR_KEY) {
  return request(app).post('/invites').set('X-API-Key', key).send(body);
}

/** A guest's POST /connection-details: the code, and nothing else to authenticate it. */
function join(app: Express, code: string, body: Record<string, unknown> = {}) {
  return request(app).post('/connection-details').set('X-Invite-Code', code).send(body);
}

describe('POST /invites', () => {
  it('responds 201 with the invite and its code, shown once, and lists it without the code', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    const made = await invite(app, { room: 'clinic-7', max_uses: 2, name: 'Patient' }).expect(201);
    expect(made.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      code: expect.stringMatching(CODE_SHAPE),
      room: 'clinic-7',
      role: 'participant',
      max_uses: 2,
      uses: 0,
      expires_at: expect.any(String),
      identity: null,
      name: 'Patient',
      waiting_room: false,
      created_at: expect.any(String),
      created_by: 'api-key:key-1',
    });
    const lifetime = Date.parse(made.body.expires_at) - Date.parse(made.body.created_at);
    expect(lifetime).toBe(86_400_000);
    const listed = await request(app)
      .get('/invites')
      .query({ room: 'clinic-7' })
      .set('X-API-Key', MODERATOR_KEY)
      .expect(200);
    const { code, ...withoutCode } = made.body as Record<string, unknown>;
    expect(code).toBeDefined();
    expect(listed.body).toEqual({ invites: [withoutCode] });
    expect(JSON.stringify(listed.body)).not.toContain(String(code));
  });

  it('gives each invite its own code, and a url from INVITE_URL_BASE', async () => {
    const app = moderationApp({ INVITE_URL_BASE: 'https://app.example.test/join?lang=en' });
    const codes = new Set<string>();
    for (let i = 0; i < 5; i += 1) {
      const made = await invite(app, { room: 'lab' }).expect(201);
      codes.add(made.body.code);
      expect(made.body.url).toBe(`https://app.example.test/join?lang=en&code=${made.body.code}`);
    }
    expect(codes.size).toBe(5);
  });

  it.each([
    [{ room: 'lab', max_uses: 0 }],
    [{ room: 'lab', max_uses: 10_001 }],
    [{ room: 'lab', expires_in_seconds: 59 }],
    [{ room: 'lab', expires_in_seconds: 30 * 86_400 + 1 }],
    [{ room: 'lab', role: 'no-such-role' }],
    [{ room: 'lab', waiting_room: 'yes' }],
    [{ room: '' }],
    [{}],
    [{ room: 'lab', code: 'chosen' }],
  ])('responds 400 VALIDATION_ERROR to %j', async (body) => {
    const app = moderationApp();
    const refused = await invite(app, body).expect(400);
    expect(refused.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('lets a LiveKit host token invite to its own room, not as host, and not elsewhere', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    const host = `Bearer ${await livekitToken('clinic-7')}`;
    const made = await request(app)
      .post('/invites')
      .set('Authorization', host)
      .send({ room: 'clinic-7', role: 'viewer' })
      .expect(201);
    expect(made.body.created_by).toBe('livekit:host-1');
    const asHost = await request(app)
      .post('/invites')
      .set('Authorization', host)
      .send({ room: 'clinic-7', role: 'host' })
      .expect(403);
    expect(asHost.body.error.code).toBe('ROLE_NOT_ALLOWED');
    const elsewhere = await request(app)
      .post('/invites')
      .set('Authorization', host)
      .send({ room: 'clinic-8' })
      .expect(403);
    expect(elsewhere.body.error.code).toBe('NOT_A_MODERATOR');
  });

  it('lets an API-key caller invite hosts', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    const made = await invite(app, { room: 'clinic-7', role: 'host' }).expect(201);
    const joined = await join(app, made.body.code).expect(201);
    const claims = await verifier.verify(joined.body.participant_token);
    expect(claims.video?.roomAdmin).toBe(true);
  });

  it('responds 401 without credentials, and 403 NOT_A_MODERATOR to an anonymous caller', async () => {
    const app = moderationApp();
    const refused = await request(app).post('/invites').send({ room: 'lab' }).expect(401);
    expect(refused.body.error.code).toBe('AUTHENTICATION_REQUIRED');
    const open = moderationApp({ AUTH_MODE: 'none' });
    const anonymous = await request(open).post('/invites').send({ room: 'lab' }).expect(403);
    expect(anonymous.body.error.code).toBe('NOT_A_MODERATOR');
  });
});

describe('redeeming an invite', () => {
  it('gives a guest without credentials a token LiveKit accepts, for the invite’s room and role', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    const made = await invite(app, { room: 'class-3', role: 'viewer', max_uses: 5 }).expect(201);
    const joined = await join(app, made.body.code, { participant_name: 'Ada' }).expect(201);
    expect(joined.body).toEqual({
      server_url: LIVEKIT_URL,
      participant_token: expect.any(String),
      room_name: 'class-3',
      participant_identity: expect.stringMatching(/^guest-[A-Za-z0-9_-]{16}$/),
      participant_name: 'Ada',
      role: 'viewer',
      expires_at: expect.any(String),
    });
    const claims = await verifier.verify(joined.body.participant_token);
    expect(claims.sub).toBe(joined.body.participant_identity);
    expect(claims.name).toBe('Ada');
    expect(claims.video).toMatchObject({ room: 'class-3', roomJoin: true, canPublish: false });
    const listed = await request(app)
      .get('/invites')
      .query({ room: 'class-3' })
      .set('X-API-Key', MODERATOR_KEY);
    expect(listed.body.invites[0].uses).toBe(1);
  });

  it('takes the code as typed: any case, spaces for dashes', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    const made = await invite(app, { room: 'lab', max_uses: 2 }).expect(201);
    const typed = (made.body.code as string).toUpperCase().replace(/-/g, ' ');
    await join(app, typed).expect(201);
  });

  it('gives the invite’s identity and name, whatever the request asks, and ignores the role asked', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    const made = await invite(app, { room: 'clinic-7', identity: 'patient-42', name: 'Pat' });
    const joined = await join(app, made.body.code, {
      participant_identity: 'someone-else',
      role: 'host',
    }).expect(201);
    const claims = await verifier.verify(joined.body.participant_token);
    expect(claims.sub).toBe('patient-42');
    expect(claims.name).toBe('Pat');
    expect(claims.video?.roomAdmin).toBeUndefined();
    expect(joined.body.role).toBe('participant');
  });

  it('redeems through POST /token too, with the code in the body or the header', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    const made = await invite(app, { room: 'lab', max_uses: 2 }).expect(201);
    const inBody = await request(app)
      .post('/token')
      .send({ invite_code: made.body.code, full_name: 'Bob' })
      .expect(200);
    expect(inBody.body).toMatchObject({ room_name: 'lab', role: 'participant' });
    expect((await verifier.verify(inBody.body.token)).name).toBe('Bob');
    const inHeader = await request(app)
      .post('/token')
      .set('X-Invite-Code', made.body.code)
      .send({})
      .expect(200);
    expect((await verifier.verify(inHeader.body.token)).video?.room).toBe('lab');
    const usedUp = await request(app)
      .post('/token')
      .send({ invite_code: made.body.code })
      .expect(410);
    expect(usedUp.body.error.code).toBe('INVITE_USED_UP');
  });

  it('responds 400 to two different codes at once', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    const made = await invite(app, { room: 'lab' }).expect(201);
    const refused = await request(app)
      .post('/token')
      .set('X-Invite-Code', made.body.code)
      .send({ invite_code: 'abcd-efgh-jkmn-pqrs' })
      .expect(400);
    expect(refused.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('responds 403 INVITE_NOT_FOR_ROOM to another room, and counts no use', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    const made = await invite(app, { room: 'lab' }).expect(201);
    const refused = await join(app, made.body.code, { room_name: 'kitchen' }).expect(403);
    expect(refused.body.error.code).toBe('INVITE_NOT_FOR_ROOM');
    await join(app, made.body.code, { room_name: 'lab' }).expect(201);
  });

  it('responds 410 INVITE_USED_UP past max_uses, and 410 INVITE_EXPIRED past its time', async () => {
    let now = Date.now();
    const app = moderationApp({ LIVEKIT_URL }, { now: () => now });
    const once = await invite(app, { room: 'lab' }).expect(201);
    await join(app, once.body.code).expect(201);
    expect((await join(app, once.body.code).expect(410)).body.error.code).toBe('INVITE_USED_UP');
    const brief = await invite(app, { room: 'lab', expires_in_seconds: 60 }).expect(201);
    now += 60_000;
    expect((await join(app, brief.body.code).expect(410)).body.error.code).toBe('INVITE_EXPIRED');
  });

  it('answers an unknown code and a revoked one alike: 404 INVITE_NOT_FOUND', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    const made = await invite(app, { room: 'lab' }).expect(201);
    await request(app)
      .delete(`/invites/${made.body.id as string}`)
      .set('X-API-Key', MODERATOR_KEY)
      .expect(204);
    const revoked = await join(app, made.body.code).expect(404);
    const unknown = await join(app, 'abcd-efgh-jkmn-pqrs').expect(404);
    const malformed = await join(app, '1').expect(404);
    expect(revoked.body.error).toEqual(unknown.body.error);
    expect(malformed.body.error).toEqual(unknown.body.error);
    expect(unknown.body.error.code).toBe('INVITE_NOT_FOUND');
    const again = await request(app)
      .delete(`/invites/${made.body.id as string}`)
      .set('X-API-Key', MODERATOR_KEY)
      .expect(404);
    expect(again.body.error.code).toBe('INVITE_NOT_FOUND');
  });

  it('applies bans and caps to guests, giving the use back', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    const bound = await invite(app, { room: 'lab', identity: 'mallory' }).expect(201);
    await request(app)
      .post('/bans')
      .set('X-API-Key', MODERATOR_KEY)
      .send({ identity: 'mallory' })
      .expect(201);
    expect((await join(app, bound.body.code).expect(403)).body.error.code).toBe('BANNED');
    const listed = await request(app)
      .get('/invites')
      .query({ room: 'lab' })
      .set('X-API-Key', MODERATOR_KEY);
    expect(listed.body.invites[0].uses).toBe(0);
    await request(app)
      .put('/rooms/small')
      .set('X-API-Key', MODERATOR_KEY)
      .send({ max_participants: 1 })
      .expect(200);
    const open = await invite(app, { room: 'small', max_uses: 3 }).expect(201);
    const first = await join(app, open.body.code).expect(201);
    expect((await verifier.verify(first.body.participant_token)).roomConfig?.maxParticipants).toBe(
      1,
    );
    expect((await join(app, open.body.code).expect(409)).body.error.code).toBe('ROOM_FULL');
  });

  it('refuses a guest past its failure budget with 429, even with a good code, and counts it', async () => {
    const app = moderationApp({ LIVEKIT_URL, INVITE_FAILURE_LIMIT_PER_MINUTE: '3' });
    const made = await invite(app, { room: 'lab' }).expect(201);
    for (let i = 0; i < 3; i += 1) await join(app, 'abcd-efgh-jkmn-pqrs').expect(404);
    const over = await join(app, 'abcd-efgh-jkmn-pqrs').expect(429);
    expect(over.body.error.code).toBe('RATE_LIMITED');
    expect(over.body.error.message).toMatch(/INVITE_FAILURE_LIMIT_PER_MINUTE/);
    expect((await join(app, made.body.code).expect(429)).body.error.code).toBe('RATE_LIMITED');
    const metrics = await lifecycleOf(app).metrics.registry.metrics();
    // Four codes looked up and not found (the fourth then answered 429), one refused unread.
    expect(metrics).toMatch(/invite_redemptions_total\{outcome="not_found"\} 4\b/);
    expect(metrics).toMatch(/invite_redemptions_total\{outcome="rate_limited"\} 2\b/);
  });

  it('still answers 401, not a body problem, to a caller without credentials or invite', async () => {
    const app = moderationApp({ LIVEKIT_URL });
    const refused = await request(app)
      .post('/token')
      .set('Content-Type', 'application/json')
      .send('{"broken": ')
      .expect(401);
    expect(refused.body.error.code).toBe('AUTHENTICATION_REQUIRED');
    const wrongKey = await request(app)
      .post('/connection-details')
      .set('X-API-Key', 'not-the-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')
      .send({})
      .expect(401);
    expect(wrongKey.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('lets allowed origins send X-Invite-Code (a browser preflights it)', async () => {
    const app = moderationApp({ LIVEKIT_URL, CORS_ORIGINS: 'https://app.example.test' });
    const preflight = await request(app)
      .options('/connection-details')
      .set('Origin', 'https://app.example.test')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,x-invite-code');
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/X-Invite-Code/i);
  });
});
