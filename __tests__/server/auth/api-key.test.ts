import { TokenVerifier } from 'livekit-server-sdk';
import request from 'supertest';
import { createApp } from '../../../server/src/app';
import { TEST_API_KEY, TEST_API_SECRET, testConfig } from '../../support/fixtures';

const CALLER_KEY = 'backend-key-0123456789abcdefghijklmnopqrstuv';
const SECOND_CALLER_KEY = 'backend-key-second-0123456789abcdefghijklmn';
const app = createApp(
  testConfig({
    AUTH_MODE: 'api-key',
    TOKEN_SERVER_API_KEYS: `${CALLER_KEY},${SECOND_CALLER_KEY}`,
    ROOM_NAME_PATTERN: 'class-[0-9]+',
  }),
);
const body = { user_email: 'ada@example.com', full_name: 'Ada Lovelace', room_name: 'class-101' };
const verifier = new TokenVerifier(TEST_API_KEY, TEST_API_SECRET);

async function mintedToken(): Promise<string> {
  const response = await request(app).post('/token').set('X-API-Key', CALLER_KEY).send(body);
  expect(response.status).toBe(200);
  return response.body.token as string;
}

describe('POST /token', () => {
  describe('with AUTH_MODE=api-key', () => {
    describe.each([
      ['X-API-Key', (key: string) => ({ 'X-API-Key': key })],
      ['Authorization: Bearer', (key: string) => ({ Authorization: `Bearer ${key}` })],
    ])('and the key as %s', (_label, headers) => {
      it('responds 200 with a token for the identity the caller names', async () => {
        const response = await request(app)
          .post('/token')
          .set(headers(CALLER_KEY))
          .send({ ...body, user_id: 'user-7' })
          .expect(200);
        expect((await verifier.verify(response.body.token)).sub).toBe('user-7');
      });
    });

    it('accepts every configured key', async () => {
      await request(app).post('/token').set('X-API-Key', SECOND_CALLER_KEY).send(body).expect(200);
    });

    describe('without a key', () => {
      it('responds 401 with AUTHENTICATION_REQUIRED and WWW-Authenticate, and no token', async () => {
        const response = await request(app).post('/token').send(body).expect(401);
        expect(response.body.error.code).toBe('AUTHENTICATION_REQUIRED');
        expect(response.body).not.toHaveProperty('token');
        expect(response.headers['www-authenticate']).toBe('Bearer realm="livekit-token-server"');
      });
    });

    describe.each([
      ['a wrong key', { 'X-API-Key': 'backend-key-0123456789abcdefghijklmnopqrstuX' }],
      ['a prefix of a key', { 'X-API-Key': CALLER_KEY.slice(0, -1) }],
      ['a key with extra characters', { Authorization: `Bearer ${CALLER_KEY}x` }],
      ['an empty X-API-Key', { 'X-API-Key': '' }],
      ['a Basic Authorization header', { Authorization: 'Basic dXNlcjpwYXNz' }],
    ])('with %s', (_label, headers) => {
      it('responds 401 and gives no token', async () => {
        const response = await request(app).post('/token').set(headers).send(body).expect(401);
        expect(['INVALID_CREDENTIALS', 'AUTHENTICATION_REQUIRED']).toContain(
          response.body.error.code,
        );
        expect(response.body).not.toHaveProperty('token');
        expect(response.headers['www-authenticate']).toMatch(/^Bearer realm=/);
      });
    });

    it('answers a wrong key with INVALID_CREDENTIALS', async () => {
      const response = await request(app)
        .post('/token')
        .set('X-API-Key', 'not-the-key-but-just-as-long-as-a-real-one')
        .send(body)
        .expect(401);
      expect(response.body.error.code).toBe('INVALID_CREDENTIALS');
      expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
    });

    it('checks credentials before the body, so a stranger learns nothing about it', async () => {
      const response = await request(app)
        .post('/token')
        .set('Content-Type', 'application/json')
        .send('{not json')
        .expect(401);
      expect(response.body.error.code).toBe('AUTHENTICATION_REQUIRED');
    });

    describe('and ROOM_NAME_PATTERN', () => {
      it('responds 403 with ROOM_NOT_ALLOWED for a room outside the pattern', async () => {
        const response = await request(app)
          .post('/token')
          .set('X-API-Key', CALLER_KEY)
          .send({ ...body, room_name: 'class-101-staff' })
          .expect(403);
        expect(response.body.error.code).toBe('ROOM_NOT_ALLOWED');
      });

      it('still generates a room when none is named', async () => {
        const response = await request(app)
          .post('/token')
          .set('X-API-Key', CALLER_KEY)
          .send({ user_email: 'ada@example.com', full_name: 'Ada' })
          .expect(200);
        expect(response.body.room_name).toMatch(/^room-/);
      });
    });
  });
});

describe('POST /validate', () => {
  describe('with AUTH_MODE=api-key', () => {
    it('responds 401 without the caller key: it is no oracle for stolen tokens', async () => {
      const token = await mintedToken();
      const response = await request(app).post('/validate').send({ token }).expect(401);
      expect(response.body.error.code).toBe('AUTHENTICATION_REQUIRED');
      expect(response.body).not.toHaveProperty('valid');
    });

    it('checks a token from the body or the query with the key in Authorization', async () => {
      const token = await mintedToken();
      const fromBody = await request(app)
        .post('/validate')
        .set('Authorization', `Bearer ${CALLER_KEY}`)
        .send({ token })
        .expect(200);
      expect(fromBody.body).toMatchObject({ valid: true, identity: 'ada@example.com' });
      await request(app).post(`/validate?token=${token}`).set('X-API-Key', CALLER_KEY).expect(200);
    });

    it('does not take the Authorization header as the token to check', async () => {
      const response = await request(app)
        .post('/validate')
        .set('Authorization', `Bearer ${CALLER_KEY}`)
        .expect(400);
      expect(response.body.error.code).toBe('MISSING_TOKEN');
    });
  });
});
