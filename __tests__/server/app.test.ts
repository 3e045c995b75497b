import request from 'supertest';
import { createApp } from '../../server/src/app';
import { testConfig } from '../support/fixtures';

const app = createApp(testConfig());
const validBody = { user_email: 'ada@example.com', full_name: 'Ada Lovelace' };

describe('every route', () => {
  it('keeps serving after each kind of bad request', async () => {
    const agent = request(app);
    await agent.post('/token').set('Content-Type', 'application/json').send('{').expect(400);
    await agent.post('/token').set('Content-Type', 'text/plain').send('x').expect(415);
    await agent
      .post('/token')
      .send({ big: 'x'.repeat(300 * 1024) })
      .expect(413);
    await agent.get('/nowhere').expect(404);
    await agent.post('/token').send(validBody).expect(200);
    await agent.get('/').expect(200);
  });

  it('never sends an X-Powered-By header', async () => {
    const response = await request(app).get('/').expect(200);
    expect(response.headers).not.toHaveProperty('x-powered-by');
  });
});

describe('security headers', () => {
  it.each([
    ['GET /', () => request(app).get('/')],
    ['POST /token', () => request(app).post('/token').send(validBody)],
    ['a 404', () => request(app).get('/missing')],
    ['a 400', () => request(app).post('/validate').send({})],
  ])('are on %s', async (_label, send) => {
    const response = await send();
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(response.headers['content-security-policy']).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });
});
