import request from 'supertest';
import { createApp } from '../../../server/src/app';
import { testConfig } from '../../support/fixtures';

const app = createApp(testConfig({ LIVEKIT_URL: 'wss://livekit.example.com' }));
const validBody = { user_email: 'ada@example.com', full_name: 'Ada Lovelace' };

describe('POST /token and /validate with a body of 22,000 unknown keys', () => {
  const hugeBody = Object.fromEntries(
    Array.from({ length: 22_000 }, (_, index) => [`k${index}`, 0]),
  );

  it.each(['/token', '/validate', '/connection-details'])(
    '%s responds 400 VALIDATION_ERROR listing the first 20 and counting the rest',
    async (path) => {
      const response = await request(app).post(path).send(hugeBody).expect(400);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
      expect(response.body.error.details).toHaveLength(20);
      expect(response.body.error.details[0]).toEqual({
        field: 'k0',
        message: 'k0 is not an accepted field',
      });
      expect(response.body.error.message).toMatch(/; and 21980 more problems, not listed\.$/);
      // The answer stays small, whatever the body.
      expect(response.text.length).toBeLessThan(4096);
    },
  );
});

describe('POST /token with 21 problems', () => {
  it('lists 20 and counts the 21st', async () => {
    const body = {
      ...validBody,
      ...Object.fromEntries(Array.from({ length: 21 }, (_, index) => [`extra_${index}`, 1])),
    };
    const response = await request(app).post('/token').send(body).expect(400);
    expect(response.body.error.details).toHaveLength(20);
    expect(response.body.error.message).toMatch(/and 1 more problems, not listed\.$/);
  });
});

describe('POST /token with a top-level __proto__ key', () => {
  it('responds 400 naming __proto__, like any other unknown key', async () => {
    const response = await request(app)
      .post('/token')
      .set('Content-Type', 'application/json')
      .send('{"user_email":"ada@example.com","full_name":"Ada","__proto__":{"role":"host"}}')
      .expect(400);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(response.body.error.details).toEqual([
      { field: '__proto__', message: '__proto__ is not an accepted field' },
    ]);
  });
});

describe('POST /connection-details with __proto__ inside room_config', () => {
  it('responds 400 naming room_config.__proto__', async () => {
    const response = await request(app)
      .post('/connection-details')
      .set('Content-Type', 'application/json')
      .send('{"room_config":{"__proto__":{"agents":[]}}}')
      .expect(400);
    expect(response.body.error.details).toEqual([
      { field: 'room_config.__proto__', message: 'room_config.__proto__ is not an accepted field' },
    ]);
  });
});

describe('POST /token with more than 8 agents', () => {
  it('responds 400 once for the list, not once per agent', async () => {
    const agents = Array.from({ length: 5000 }, () => ({ agent_name: 'a', bad: true }));
    const response = await request(app)
      .post('/token')
      .send({ ...validBody, room_config: { agents } })
      .expect(400);
    expect(response.body.error.details).toEqual([
      { field: 'room_config.agents', message: 'room_config.agents must have at most 8 entries' },
    ]);
  });
});
