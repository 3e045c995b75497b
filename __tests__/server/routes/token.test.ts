import { AccessToken, TokenVerifier } from 'livekit-server-sdk';
import request from 'supertest';
import { createApp } from '../../../server/src/app';
import { decodeSegment, TEST_API_KEY, TEST_API_SECRET, testConfig } from '../../support/fixtures';
import {
  ADA_CLAIMS,
  CALLER_AUDIENCE,
  CALLER_ISSUER,
  CALLER_JWT_SECRET,
  callerJwtWithSecret,
} from '../../support/jwks';

const verifier = new TokenVerifier(TEST_API_KEY, TEST_API_SECRET);
const app = createApp(testConfig());
const validBody = { user_email: 'ada@example.com', full_name: 'Ada Lovelace' };

function postToken(body: unknown, target = app) {
  const post = request(target).post('/token');
  return body === undefined ? post : post.send(body as object);
}

describe('POST /token', () => {
  describe('with user_email, full_name and room_name', () => {
    const body = { ...validBody, room_name: 'physics-101' };

    it('responds 200 with a token, the room, the identity and the expiry', async () => {
      const before = Date.now();
      const response = await postToken(body).expect(200);
      expect(response.body).toEqual({
        token: expect.any(String),
        room_name: 'physics-101',
        identity: 'ada@example.com',
        role: 'participant',
        expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
      });
      const expiresAt = Date.parse(response.body.expires_at);
      expect(expiresAt).toBeGreaterThanOrEqual(before - 1000 + 24 * 3600 * 1000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 24 * 3600 * 1000);
    });

    it('forbids caching the answer', async () => {
      await postToken(body).expect(200).expect('Cache-Control', 'no-store');
    });

    it("mints a token that LiveKit's SDK verifies, with the exact LiveKit claims", async () => {
      const response = await postToken(body).expect(200);
      const claims = await verifier.verify(response.body.token);
      expect(decodeSegment(response.body.token, 0)).toMatchObject({ alg: 'HS256' });
      expect(claims).toEqual({
        iss: TEST_API_KEY,
        sub: 'ada@example.com',
        name: 'Ada Lovelace',
        nbf: expect.any(Number),
        exp: (claims.nbf as number) + 24 * 3600,
        video: {
          roomJoin: true,
          room: 'physics-101',
          canPublish: true,
          canSubscribe: true,
          canUpdateOwnMetadata: true,
        },
      });
      expect(Math.abs((claims.nbf as number) - Date.now() / 1000)).toBeLessThan(5);
      expect(new Date((claims.exp as number) * 1000).toISOString()).toBe(response.body.expires_at);
    });

    it("carries the same claims as the SDK's AccessToken for the same input", async () => {
      const response = await postToken(body).expect(200);
      const sdkToken = new AccessToken(TEST_API_KEY, TEST_API_SECRET, {
        identity: 'ada@example.com',
        name: 'Ada Lovelace',
        ttl: 24 * 3600,
      });
      sdkToken.addGrant({
        roomJoin: true,
        room: 'physics-101',
        canPublish: true,
        canSubscribe: true,
        canUpdateOwnMetadata: true,
      });
      const ours = decodeSegment(response.body.token, 1);
      const theirs = decodeSegment(await sdkToken.toJwt(), 1);
      expect({ ...ours, nbf: 0, exp: 0 }).toEqual({ ...theirs, nbf: 0, exp: 0 });
    });
  });

  describe('with user_id', () => {
    it('uses it as the identity instead of the email', async () => {
      const response = await postToken({ ...validBody, user_id: 'user-42' }).expect(200);
      expect(response.body.identity).toBe('user-42');
      expect((await verifier.verify(response.body.token)).sub).toBe('user-42');
    });
  });

  describe('with user_id and no user_email, as for a guest or an agent', () => {
    it('responds 200 with user_id as the identity', async () => {
      const response = await postToken({ user_id: 'guest-7', full_name: 'Guest' }).expect(200);
      expect(response.body.identity).toBe('guest-7');
      expect(await verifier.verify(response.body.token)).toMatchObject({
        sub: 'guest-7',
        name: 'Guest',
      });
    });
  });

  describe('without user_id or user_email', () => {
    it('responds 400 with VALIDATION_ERROR naming both as the identity', async () => {
      const response = await postToken({ full_name: 'Ada' }).expect(400);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
      expect(response.body.error.details).toEqual([
        { field: 'user_id', message: 'give user_id or user_email (the identity)' },
      ]);
    });
  });

  describe('with the fields in camelCase, as /connection-details takes them', () => {
    it('reads them as the snake_case ones', async () => {
      const response = await postToken({
        userEmail: 'ada@example.com',
        fullName: 'Ada Lovelace',
        userId: 'user-42',
        roomName: 'physics-101',
        ttlSeconds: 600,
        roomConfig: { agents: [{ agentName: 'tutor' }] },
      }).expect(200);
      expect(response.body).toMatchObject({ identity: 'user-42', room_name: 'physics-101' });
      const claims = await verifier.verify(response.body.token);
      expect(claims).toMatchObject({
        sub: 'user-42',
        name: 'Ada Lovelace',
        video: { room: 'physics-101' },
        roomConfig: { agents: [{ agentName: 'tutor' }] },
      });
      expect((claims.exp as number) - (claims.nbf as number)).toBe(600);
    });

    it('takes userEmail alone as the identity', async () => {
      const response = await postToken({ userEmail: 'ada@example.com', fullName: 'Ada' });
      expect(response.status).toBe(200);
      expect(response.body.identity).toBe('ada@example.com');
    });
  });

  describe.each([
    ['userEmail', 'user_email', { userEmail: 'ada@example.com' }],
    ['fullName', 'full_name', { fullName: 'Ada' }],
    ['userId', 'user_id', { user_id: 'a', userId: 'a' }],
  ])('with %s and %s both', (camelCase, snakeCase, fields) => {
    it(`responds 400 with VALIDATION_ERROR naming ${snakeCase}`, async () => {
      const response = await postToken({ ...validBody, ...fields }).expect(400);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
      expect(response.body.error.details).toEqual([
        { field: snakeCase, message: `give ${camelCase} or ${snakeCase}, not both` },
      ]);
    });
  });

  describe.each([
    ['email', 'user_email'],
    ['name', 'full_name'],
    ['room', 'room_name'],
    ['identity', 'user_id'],
    ['participant_name', 'full_name'],
    ['room_nme', 'room_name'],
    ['ROOM_NME', 'room_name'],
    ['Room-Name', 'room_name'],
    ['user_mail', 'user_email'],
    ['fullname', 'full_name'],
    ['rol', 'role'],
    ['ttl', 'ttl_seconds'],
  ])('with the unknown field %s', (key, meant) => {
    it(`responds 400 with VALIDATION_ERROR asking whether ${meant} was meant`, async () => {
      const response = await postToken({ ...validBody, [key]: 'x' }).expect(400);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
      expect(response.body.error.details).toEqual([
        { field: key, message: `${key} is not an accepted field; did you mean ${meant}?` },
      ]);
    });
  });

  describe.each([
    ['a field near none', { colour: 'blue' }, 'colour'],
    ['a field of room_config at the top level', { agents: [] }, 'agents'],
  ])('with %s', (_label, fields, field) => {
    it('responds 400 with VALIDATION_ERROR and no hint', async () => {
      const response = await postToken({ ...validBody, ...fields }).expect(400);
      expect(response.body.error.details).toEqual([
        { field, message: `${field} is not an accepted field` },
      ]);
    });
  });

  describe('with near misses inside room_config', () => {
    it('hints only at fields of the same object', async () => {
      const response = await postToken({
        ...validBody,
        room_config: { agent: [], agents: [{ name: 'tutor', room_name: 'r' }] },
      }).expect(400);
      expect(response.body.error.details).toEqual([
        {
          field: 'room_config.agent',
          message: 'room_config.agent is not an accepted field; did you mean agents?',
        },
        {
          field: 'room_config.agents.0.name',
          message: 'room_config.agents[0].name is not an accepted field; did you mean agent_name?',
        },
        {
          field: 'room_config.agents.0.room_name',
          message: 'room_config.agents[0].room_name is not an accepted field',
        },
      ]);
    });
  });

  describe('with a near miss and other bad fields', () => {
    it('words the unknown field once, with its hint, beside the others', async () => {
      const response = await postToken({ email: 'ada@example.com', full_name: '' }).expect(400);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
      expect(response.body.error.details).toEqual([
        { field: 'full_name', message: 'full_name must not be empty' },
        { field: 'user_id', message: 'give user_id or user_email (the identity)' },
        { field: 'email', message: 'email is not an accepted field; did you mean user_email?' },
      ]);
      expect(response.body.error.message).toContain('did you mean user_email?');
    });
  });

  describe('without room_name', () => {
    it('generates a distinct unguessable room name each time', async () => {
      const names = await Promise.all(
        [1, 2, 3].map(async () => (await postToken(validBody).expect(200)).body.room_name),
      );
      for (const name of names) expect(name).toMatch(/^room-[A-Za-z0-9_-]{16}$/);
      expect(new Set(names).size).toBe(3);
    });

    it('puts the generated room in the token', async () => {
      const response = await postToken(validBody).expect(200);
      const claims = await verifier.verify(response.body.token);
      expect(claims.video?.room).toBe(response.body.room_name);
    });
  });

  describe('with LIVEKIT_URL set', () => {
    it('returns it as server_url', async () => {
      const withUrl = createApp(testConfig({ LIVEKIT_URL: 'wss://rtc.example.com' }));
      const response = await postToken(validBody, withUrl).expect(200);
      expect(response.body.server_url).toBe('wss://rtc.example.com');
    });
  });

  it('leaves server_url out when LIVEKIT_URL is not set', async () => {
    const response = await postToken(validBody).expect(200);
    expect(response.body).not.toHaveProperty('server_url');
  });

  describe('with TOKEN_EXPIRY_HOURS=0.5', () => {
    it('mints tokens that expire in 30 minutes', async () => {
      const shortLived = createApp(testConfig({ TOKEN_EXPIRY_HOURS: '0.5' }));
      const response = await postToken(validBody, shortLived).expect(200);
      const claims = await verifier.verify(response.body.token);
      expect((claims.exp as number) - (claims.nbf as number)).toBe(1800);
    });
  });

  it('accepts names and rooms in any script, up to 256 characters', async () => {
    const body = {
      user_email: `${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.example.com`,
      full_name: 'Zoë 陈 ☃',
      user_id: 'u'.repeat(256),
      room_name: 'r'.repeat(256),
    };
    const response = await postToken(body).expect(200);
    const claims = await verifier.verify(response.body.token);
    expect(claims).toMatchObject({ name: 'Zoë 陈 ☃', sub: body.user_id });
  });

  describe.each([
    ['without user_id or user_email', { full_name: 'Ada' }, ['user_id']],
    ['without full_name', { user_email: 'ada@example.com' }, ['full_name']],
    ['with an invalid email', { ...validBody, user_email: 'not-an-email' }, ['user_email']],
    [
      'with an email over 254 characters',
      { ...validBody, user_email: `${'a'.repeat(64)}@${'b'.repeat(190)}.com` },
      ['user_email'],
    ],
    ['with an empty full_name', { ...validBody, full_name: '' }, ['full_name']],
    ['with a blank full_name', { ...validBody, full_name: '   ' }, ['full_name']],
    ['with a 257-character full_name', { ...validBody, full_name: 'n'.repeat(257) }, ['full_name']],
    [
      'with a control character in full_name',
      { ...validBody, full_name: 'Ada\nAdmin' },
      ['full_name'],
    ],
    ['with a NUL in user_id', { ...validBody, user_id: 'ada\u0000' }, ['user_id']],
    ['with an empty user_id', { ...validBody, user_id: '' }, ['user_id']],
    ['with a C1 control in room_name', { ...validBody, room_name: 'room\u0085' }, ['room_name']],
    ['with a 257-character room_name', { ...validBody, room_name: 'r'.repeat(257) }, ['room_name']],
    ['with a numeric room_name', { ...validBody, room_name: 101 }, ['room_name']],
    ['with a null user_id', { ...validBody, user_id: null }, ['user_id']],
    ['with an unknown field', { ...validBody, admin: true }, ['admin']],
    [
      'with several bad fields',
      { user_email: 5, full_name: ['x'], room_name: '', extra: 1 },
      ['user_email', 'full_name', 'room_name', 'extra'],
    ],
    ['with a JSON array body', [validBody], ['body']],
    ['with an empty body', undefined, ['user_id', 'full_name']],
  ])('%s', (_label, body, fields) => {
    it(`responds 400 with VALIDATION_ERROR naming ${fields.join(', ')}`, async () => {
      const response = await postToken(body).expect(400);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
      expect(response.body).not.toHaveProperty('token');
      const named = response.body.error.details.map((detail: { field: string }) => detail.field);
      expect([...new Set(named)].sort()).toEqual([...fields].sort());
      for (const field of fields) expect(response.body.error.message).toContain(field);
    });
  });

  describe.each([
    ['metadata over 64 KiB', { metadata: 'm'.repeat(64 * 1024 + 1) }, 'metadata'],
    ['metadata that is not a string', { metadata: 7 }, 'metadata'],
    ['attributes with a value that is not a string', { attributes: { a: true } }, 'attributes.a'],
    [
      'attributes over 64 KiB in all',
      { attributes: { a: 'x'.repeat(40 * 1024), b: 'x'.repeat(40 * 1024) } },
      'attributes',
    ],
    ['a role that does not exist', { role: 'admin' }, 'role'],
    ['ttl_seconds longer than TOKEN_EXPIRY_HOURS', { ttl_seconds: 24 * 3600 + 1 }, 'ttl_seconds'],
    [
      'a room_config key other than agents',
      { room_config: { max_participants: 2 } },
      'room_config.max_participants',
    ],
  ])('with %s', (_label, fields, field) => {
    it(`responds 400 with VALIDATION_ERROR naming ${field}`, async () => {
      const response = await postToken({ ...validBody, ...fields }).expect(400);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
      expect(response.body.error.details).toEqual([{ field, message: expect.any(String) }]);
    });
  });

  describe('with role host from an anonymous caller', () => {
    it('responds 403 with ROLE_NOT_ALLOWED', async () => {
      const response = await postToken({ ...validBody, role: 'host' }).expect(403);
      expect(response.body.error.code).toBe('ROLE_NOT_ALLOWED');
      expect(response.body).not.toHaveProperty('token');
    });
  });

  describe('with DEFAULT_ROLE outside PUBLIC_ROLES and no role asked for', () => {
    it('responds 403 with ROLE_NOT_ALLOWED, saying it is the default role', async () => {
      const strict = createApp(testConfig({ PUBLIC_ROLES: 'viewer' }));
      const response = await postToken(validBody, strict).expect(403);
      expect(response.body.error.code).toBe('ROLE_NOT_ALLOWED');
      expect(response.body.error.message).toMatch(/DEFAULT_ROLE/);
      await postToken({ ...validBody, role: 'viewer' }, strict).expect(200);
    });
  });

  describe('with role viewer, metadata, attributes, ttl_seconds and an agent', () => {
    it('puts each into the token', async () => {
      const response = await postToken({
        ...validBody,
        role: 'viewer',
        metadata: '{"seat":3}',
        attributes: { team: 'blue' },
        ttl_seconds: 120,
        room_config: { agents: [{ agent_name: 'narrator', metadata: 'calm' }] },
      }).expect(200);
      expect(response.body.role).toBe('viewer');
      const claims = await verifier.verify(response.body.token);
      expect(claims).toMatchObject({
        metadata: '{"seat":3}',
        attributes: { team: 'blue' },
        roomConfig: { agents: [{ agentName: 'narrator', metadata: 'calm' }] },
        video: { canPublish: false, canPublishData: false, canSubscribe: true },
      });
      expect((claims.exp as number) - (claims.nbf as number)).toBe(120);
    });
  });

  it('does not echo rejected values back', async () => {
    const response = await postToken({ ...validBody, full_name: 'secret\u0007value' }).expect(400);
    expect(JSON.stringify(response.body)).not.toContain('secret');
  });

  describe('with AUTH_MODE=jwt', () => {
    const jwtApp = createApp(
      testConfig({
        AUTH_MODE: 'jwt',
        AUTH_JWT_SECRET: CALLER_JWT_SECRET,
        AUTH_ISSUER: CALLER_ISSUER,
        AUTH_AUDIENCE: CALLER_AUDIENCE,
      }),
    );
    const postAs = (claims: Record<string, unknown>, body: object) =>
      callerJwtWithSecret(CALLER_JWT_SECRET, { claims }).then((login) =>
        request(jwtApp).post('/token').set('Authorization', `Bearer ${login}`).send(body),
      );

    describe('with a login without an email claim and no user_id or user_email', () => {
      it("responds 200 with the login's identity", async () => {
        const response = await postAs({ sub: ADA_CLAIMS.sub }, { full_name: 'Ada' });
        expect(response.status).toBe(200);
        expect(response.body.identity).toBe(ADA_CLAIMS.sub);
        expect((await verifier.verify(response.body.token)).sub).toBe(ADA_CLAIMS.sub);
      });
    });

    describe('with a login without a name claim and no full_name', () => {
      it('responds 200 with a token without a name, as /connection-details does', async () => {
        const response = await postAs({ sub: ADA_CLAIMS.sub }, {});
        expect(response.status).toBe(200);
        expect((await verifier.verify(response.body.token)).name).toBeUndefined();
      });
    });

    describe.each([
      ['a control character', 'Ada\u0007'],
      ['only white space', '   '],
      ['257 characters', 'a'.repeat(257)],
      ['a lone surrogate', 'Ada\ud800'],
    ])('with a login whose name claim holds %s, and no full_name', (_label, loginName) => {
      it('drops the name as /connection-details does, and mints', async () => {
        const response = await postAs({ sub: ADA_CLAIMS.sub, name: loginName }, {});
        expect(response.status).toBe(200);
        expect((await verifier.verify(response.body.token)).name).toBeUndefined();
      });

      it('takes full_name from the body instead', async () => {
        const response = await postAs(
          { sub: ADA_CLAIMS.sub, name: loginName },
          { full_name: 'Ada' },
        );
        expect(response.status).toBe(200);
        expect((await verifier.verify(response.body.token)).name).toBe('Ada');
      });
    });

    describe('with a login with a name claim and fullName in the body', () => {
      it("takes the body's fullName, not the login's name as a second spelling", async () => {
        const response = await postAs(ADA_CLAIMS, { fullName: 'Countess of Lovelace' });
        expect(response.status).toBe(200);
        expect((await verifier.verify(response.body.token)).name).toBe('Countess of Lovelace');
      });
    });

    describe('with a user_email different from the login', () => {
      it("responds 200 with the login's identity", async () => {
        const response = await postAs(ADA_CLAIMS, { user_email: 'other@example.com' });
        expect(response.status).toBe(200);
        expect(response.body.identity).toBe(ADA_CLAIMS.sub);
      });
    });
  });

  describe('with GET', () => {
    it('responds 405 with METHOD_NOT_ALLOWED', async () => {
      const response = await request(app).get('/token').expect(405);
      expect(response.headers.allow).toBe('POST');
      expect(response.body.error.code).toBe('METHOD_NOT_ALLOWED');
    });
  });
});
