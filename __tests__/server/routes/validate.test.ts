import { AccessToken, TokenVerifier } from 'livekit-server-sdk';
import request from 'supertest';
import { createApp } from '../../../server/src/app';
import {
  hostileTokens,
  livekitPayload,
  nowSeconds,
  signRaw,
  TEST_API_KEY,
  TEST_API_SECRET,
  testConfig,
} from '../../support/fixtures';

const app = createApp(testConfig());

async function mintedToken(): Promise<string> {
  const response = await request(app)
    .post('/token')
    .send({ user_email: 'ada@example.com', full_name: 'Ada Lovelace', room_name: 'physics-101' })
    .expect(200);
  return response.body.token as string;
}

const expectedGrant = {
  roomJoin: true,
  room: 'physics-101',
  canPublish: true,
  canSubscribe: true,
  canUpdateOwnMetadata: true,
};

describe('POST /validate', () => {
  describe.each([
    [
      'as the token query parameter',
      (token: string) => request(app).post(`/validate?token=${token}`),
    ],
    ['in a JSON body', (token: string) => request(app).post('/validate').send({ token })],
    [
      'as Authorization: Bearer',
      (token: string) => request(app).post('/validate').set('Authorization', `Bearer ${token}`),
    ],
  ])('with a token minted by /token %s', (_label, send) => {
    it('responds 200 with valid, identity, name, room, expiry and grants', async () => {
      const token = await mintedToken();
      const response = await send(token).expect(200);
      expect(response.body).toEqual({
        valid: true,
        identity: 'ada@example.com',
        name: 'Ada Lovelace',
        room: 'physics-101',
        expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
        grants: expectedGrant,
        metadata: null,
        attributes: null,
        room_config: null,
      });
      expect(response.headers['cache-control']).toBe('no-store');
    });
  });

  describe('with a token carrying metadata, attributes and an agent', () => {
    it('responds 200 and decodes them too', async () => {
      const minted = await request(app)
        .post('/token')
        .send({
          user_email: 'ada@example.com',
          full_name: 'Ada Lovelace',
          role: 'viewer',
          metadata: '{"seat":3}',
          attributes: { team: 'blue' },
          room_config: { agents: [{ agent_name: 'narrator' }] },
        })
        .expect(200);
      const response = await request(app)
        .post('/validate')
        .send({ token: minted.body.token })
        .expect(200);
      expect(response.body).toMatchObject({
        valid: true,
        metadata: '{"seat":3}',
        attributes: { team: 'blue' },
        room_config: { agents: [{ agentName: 'narrator' }] },
        grants: { canPublish: false, canPublishData: false },
      });
    });
  });

  describe("with a token minted by the SDK's AccessToken", () => {
    it('responds 200 and decodes it', async () => {
      const sdkToken = new AccessToken(TEST_API_KEY, TEST_API_SECRET, {
        identity: 'sdk-user',
        name: 'SDK User',
        ttl: 600,
      });
      sdkToken.addGrant({ roomJoin: true, room: 'sdk-room', canPublish: false });
      const token = await sdkToken.toJwt();
      const response = await request(app).post('/validate').send({ token }).expect(200);
      expect(response.body).toMatchObject({
        valid: true,
        identity: 'sdk-user',
        name: 'SDK User',
        room: 'sdk-room',
        grants: { roomJoin: true, room: 'sdk-room', canPublish: false },
      });
    });
  });

  describe('with a token expired less than 60 s ago', () => {
    it('responds 200, allowing the clock skew LiveKit allows', async () => {
      const token = signRaw(livekitPayload({ exp: nowSeconds() - 20 }));
      await request(app).post('/validate').send({ token }).expect(200);
    });
  });

  describe('with a token without sub or name', () => {
    it('responds 200 with null identity and name', async () => {
      const token = signRaw(livekitPayload({ sub: undefined, name: undefined, video: undefined }));
      const response = await request(app).post('/validate').send({ token }).expect(200);
      expect(response.body).toMatchObject({ identity: null, name: null, room: null, grants: {} });
    });
  });

  describe.each(hostileTokens())('with $label', ({ token, code }) => {
    it(`responds 401 with valid: false and ${code}`, async () => {
      const response = await request(app).post('/validate').send({ token }).expect(401);
      expect(response.body).toEqual({
        valid: false,
        error: { code, message: expect.any(String) },
      });
      expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    });
  });

  describe('with a token signed for another API key', () => {
    it('responds 401 with WRONG_ISSUER', async () => {
      const otherServer = createApp(
        testConfig({ LIVEKIT_API_KEY: 'APIother', LIVEKIT_API_SECRET: TEST_API_SECRET }),
      );
      const response = await request(otherServer)
        .post('/validate')
        .send({ token: await mintedToken() })
        .expect(401);
      expect(response.body.error.code).toBe('WRONG_ISSUER');
    });
  });

  describe('with LIVEKIT_KEYS listing an old and a new key', () => {
    const oldSecret = 'old-livekit-secret-with-32-characters-or-more';
    const newSecret = 'new-livekit-secret-with-32-characters-or-more';
    const rotating = createApp(
      testConfig({
        LIVEKIT_KEYS: `APIold: ${oldSecret}\nAPInew: ${newSecret}`,
        LIVEKIT_API_KEY: 'APInew',
        LIVEKIT_API_SECRET: newSecret,
      }),
    );

    it('signs new tokens with LIVEKIT_API_KEY', async () => {
      const response = await request(rotating)
        .post('/token')
        .send({ user_email: 'ada@example.com', full_name: 'Ada' })
        .expect(200);
      const claims = await new TokenVerifier('APInew', newSecret).verify(response.body.token);
      expect(claims.iss).toBe('APInew');
    });

    it('still accepts tokens signed with the old key', async () => {
      const token = signRaw(livekitPayload({ iss: 'APIold' }), { secret: oldSecret });
      const response = await request(rotating).post('/validate').send({ token }).expect(200);
      expect(response.body.valid).toBe(true);
    });

    it("refuses an old-key token signed with the new key's secret", async () => {
      const token = signRaw(livekitPayload({ iss: 'APIold' }), { secret: newSecret });
      const response = await request(rotating).post('/validate').send({ token }).expect(401);
      expect(response.body.error.code).toBe('BAD_SIGNATURE');
    });

    it('refuses a key it does not list with WRONG_ISSUER', async () => {
      const response = await request(rotating)
        .post('/validate')
        .send({ token: signRaw(livekitPayload()) })
        .expect(401);
      expect(response.body.error.code).toBe('WRONG_ISSUER');
    });
  });

  describe('without a token', () => {
    it('responds 400 with MISSING_TOKEN', async () => {
      const response = await request(app).post('/validate').expect(400);
      expect(response.body.error.code).toBe('MISSING_TOKEN');
    });

    it('responds 400 with MISSING_TOKEN for an empty JSON object', async () => {
      const response = await request(app).post('/validate').send({}).expect(400);
      expect(response.body.error.code).toBe('MISSING_TOKEN');
    });
  });

  describe('with two different tokens', () => {
    it('responds 400 with AMBIGUOUS_TOKEN', async () => {
      const token = await mintedToken();
      const response = await request(app)
        .post(`/validate?token=${token}`)
        .send({ token: signRaw(livekitPayload()) })
        .expect(400);
      expect(response.body.error.code).toBe('AMBIGUOUS_TOKEN');
    });
  });

  describe('with the same token in the query and the header', () => {
    it('responds 200', async () => {
      const token = await mintedToken();
      await request(app)
        .post(`/validate?token=${token}`)
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
    });
  });

  describe.each([
    ['a repeated token query parameter', () => request(app).post('/validate?token=a&token=b')],
    ['an empty token query parameter', () => request(app).post('/validate?token=')],
    ['a numeric token in the body', () => request(app).post('/validate').send({ token: 42 })],
    ['an unknown body field', () => request(app).post('/validate').send({ token: 'x', y: 1 })],
  ])('with %s', (_label, send) => {
    it('responds 400 with VALIDATION_ERROR', async () => {
      const response = await send().expect(400);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
    });
  });

  describe('with an Authorization header that is not Bearer', () => {
    it('responds 400 with INVALID_AUTHORIZATION_HEADER', async () => {
      const response = await request(app)
        .post('/validate')
        .set('Authorization', 'Basic dXNlcjpwYXNz')
        .expect(400);
      expect(response.body.error.code).toBe('INVALID_AUTHORIZATION_HEADER');
    });
  });
});
