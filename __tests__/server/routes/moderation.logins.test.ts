// Who may moderate, for logins (AUTH_MODE=jwt) over a real JWKS endpoint: a login whose
// roles include one with roomAdmin (the built-in host) moderates every room; any other
// login gets 403 NOT_A_MODERATOR and changes nothing; a host's LiveKit token still
// moderates its own room in this mode.
import request from 'supertest';
import { createApp, lifecycleOf } from '../../../server/src/app';
import {
  ADA_CLAIMS,
  callerJwt,
  generateCallerKey,
  JwksServer,
  type CallerKey,
} from '../../support/jwks';
import { jwksConfig } from '../../support/jwt-mode';
import { livekitToken } from '../../support/moderation';
import type { Express } from 'express';

let key: CallerKey;
let jwks: JwksServer;
let app: Express;

beforeAll(async () => {
  key = await generateCallerKey('ES256');
  jwks = await JwksServer.start([key]);
  app = createApp(jwksConfig(jwks, { AUTH_ROLES_CLAIM: 'roles' }), { jwksCooldownMs: 0 });
});

afterAll(async () => {
  await lifecycleOf(app).close();
  await jwks.close();
});

/** A login of Ada's holding `roles`. */
const login = (roles: string[]) => callerJwt(key, { claims: { ...ADA_CLAIMS, roles } });

describe('moderation by logins (AUTH_MODE=jwt)', () => {
  it('lets a login with the host role ban in any room, named as the login, and lift it', async () => {
    const host = await login(['host']);
    const created = await request(app)
      .post('/bans')
      .set('Authorization', `Bearer ${host}`)
      .send({ identity: 'mallory', room: 'clinic-7' })
      .expect(201);
    expect(created.body.created_by).toBe(`jwt:${ADA_CLAIMS.sub}`);
    const everywhere = await request(app)
      .post('/bans')
      .set('Authorization', `Bearer ${host}`)
      .send({ identity: 'eve' })
      .expect(201);
    expect(everywhere.body.room).toBeNull();
    const listed = await request(app)
      .get('/bans')
      .set('Authorization', `Bearer ${host}`)
      .expect(200);
    expect(listed.body.bans.map((ban: { identity: string }) => ban.identity).sort()).toEqual([
      'eve',
      'mallory',
    ]);
    await request(app)
      .put('/rooms/clinic-7')
      .set('Authorization', `Bearer ${host}`)
      .send({ max_participants: 4 })
      .expect(200);
    await request(app)
      .delete(`/bans/${created.body.id as string}`)
      .set('Authorization', `Bearer ${host}`)
      .expect(204);
  });

  it('refuses a login without a roomAdmin role with 403 NOT_A_MODERATOR, changing nothing', async () => {
    const participant = await login(['participant', 'viewer']);
    const refused = await request(app)
      .post('/bans')
      .set('Authorization', `Bearer ${participant}`)
      .send({ identity: 'bob', room: 'clinic-8' })
      .expect(403);
    expect(refused.body.error.code).toBe('NOT_A_MODERATOR');
    const limit = await request(app)
      .put('/rooms/clinic-8')
      .set('Authorization', `Bearer ${participant}`)
      .send({ max_participants: 1 })
      .expect(403);
    expect(limit.body.error.code).toBe('NOT_A_MODERATOR');
    const audit = await request(app)
      .get('/rooms/clinic-8/audit')
      .set('Authorization', `Bearer ${participant}`)
      .expect(403);
    expect(audit.body.error.code).toBe('NOT_A_MODERATOR');
    const host = await login(['host']);
    const bans = await request(app)
      .get('/bans')
      .query({ identity: 'bob' })
      .set('Authorization', `Bearer ${host}`)
      .expect(200);
    expect(bans.body.bans).toEqual([]);
    const room = await request(app)
      .get('/rooms/clinic-8')
      .set('Authorization', `Bearer ${host}`)
      .expect(200);
    expect(room.body.max_participants).toBeNull();
  });

  it('answers 401 to a login the JWKS does not vouch for, rather than NOT_A_MODERATOR', async () => {
    const stranger = await generateCallerKey('ES256');
    const forged = await callerJwt(stranger, { claims: { ...ADA_CLAIMS, roles: ['host'] } });
    const refused = await request(app)
      .post('/bans')
      .set('Authorization', `Bearer ${forged}`)
      .send({ identity: 'bob', room: 'clinic-9' })
      .expect(401);
    expect(refused.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('still lets a LiveKit host token moderate its own room, and only that one', async () => {
    const hostToken = await livekitToken('clinic-10');
    const created = await request(app)
      .post('/bans')
      .set('Authorization', `Bearer ${hostToken}`)
      .send({ identity: 'mallory', room: 'clinic-10' })
      .expect(201);
    expect(created.body.created_by).toBe('livekit:host-1');
    const elsewhere = await request(app)
      .post('/bans')
      .set('Authorization', `Bearer ${hostToken}`)
      .send({ identity: 'mallory', room: 'clinic-11' })
      .expect(403);
    expect(elsewhere.body.error.code).toBe('NOT_A_MODERATOR');
  });
});
