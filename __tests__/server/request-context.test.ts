import request from 'supertest';
import { createApp } from '../../server/src/app';
import { capturingLogger } from '../support/capturing-logger';
import { TEST_API_SECRET, testConfig } from '../support/fixtures';

const app = createApp(testConfig());
const validBody = { user_email: 'ada@example.com', full_name: 'Ada Lovelace' };

describe('access logs', () => {
  it('log each request without its query string, tokens or secrets', async () => {
    const logger = capturingLogger();
    const logged = createApp(testConfig(), { logger });
    const minted = await request(logged).post('/token').send(validBody).expect(200);
    const token = minted.body.token as string;
    await request(logged).post(`/validate?token=${token}`).expect(200);
    await request(logged).post('/validate').set('Authorization', `Bearer ${token}`).expect(200);
    await request(logged).post('/validate').send({ token }).expect(200);
    const accessLines = logger.lines.filter((line) => line.message === 'request');
    expect(accessLines.map((line) => line.fields?.path)).toEqual([
      '/token',
      '/validate',
      '/validate',
      '/validate',
    ]);
    expect(accessLines[0]?.fields).toMatchObject({ method: 'POST', status: 200 });
    const everything = JSON.stringify(logger.lines);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(token.split('.')[2]);
    expect(everything).not.toContain(TEST_API_SECRET);
  });
});

describe('X-Request-Id', () => {
  it('is a fresh UUID on every answer, and in the access log line', async () => {
    const logger = capturingLogger();
    const logged = createApp(testConfig(), { logger });
    const first = await request(logged).get('/').expect(200);
    const second = await request(logged).get('/').expect(200);
    expect(first.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(logger.lines.map((line) => line.fields?.request_id)).toEqual([
      first.headers['x-request-id'],
      second.headers['x-request-id'],
    ]);
  });

  it("reuses the caller's well-formed id, so one id follows a request across services", async () => {
    const response = await request(app).get('/').set('X-Request-Id', 'frontend-42.abc').expect(200);
    expect(response.headers['x-request-id']).toBe('frontend-42.abc');
  });

  it('replaces an id that could forge log lines or is too long', async () => {
    for (const hostile of ['a"b', 'line\tbreak', 'x'.repeat(129)]) {
      const response = await request(app).get('/').set('X-Request-Id', hostile).expect(200);
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
