import request from 'supertest';
import { createApp } from '../../server/src/app';
import { testConfig } from '../support/fixtures';

const validBody = { user_email: 'ada@example.com', full_name: 'Ada Lovelace' };

describe('CORS', () => {
  const corsApp = createApp(testConfig({ CORS_ORIGINS: 'https://app.example.com' }));

  describe('from an allowed origin', () => {
    it('answers the preflight allowing POST with Content-Type, Authorization and X-API-Key', async () => {
      const response = await request(corsApp)
        .options('/token')
        .set('Origin', 'https://app.example.com')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type,authorization')
        .expect(204);
      expect(response.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(response.headers['access-control-allow-methods']).toContain('POST');
      expect(response.headers['access-control-allow-headers']).toBe(
        'Content-Type,Authorization,X-API-Key,X-Request-Id',
      );
    });

    it('adds the CORS header to the answer', async () => {
      const response = await request(corsApp)
        .post('/token')
        .set('Origin', 'https://app.example.com')
        .send(validBody)
        .expect(200);
      expect(response.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(response.headers.vary).toContain('Origin');
      expect(response.headers['access-control-expose-headers']).toBe(
        'X-Request-Id,RateLimit,RateLimit-Policy,Retry-After',
      );
    });

    it('lets the browser cache the preflight for 10 minutes', async () => {
      const response = await request(corsApp)
        .options('/validate')
        .set('Origin', 'https://app.example.com')
        .set('Access-Control-Request-Method', 'POST')
        .expect(204);
      expect(response.headers['access-control-max-age']).toBe('600');
    });
  });

  describe('from another origin', () => {
    it('sends no CORS headers, so the browser blocks the answer', async () => {
      const preflight = await request(corsApp)
        .options('/token')
        .set('Origin', 'https://evil.example.com')
        .set('Access-Control-Request-Method', 'POST');
      expect(preflight.headers).not.toHaveProperty('access-control-allow-origin');
      const response = await request(corsApp)
        .post('/token')
        .set('Origin', 'https://evil.example.com')
        .send(validBody);
      expect(response.headers).not.toHaveProperty('access-control-allow-origin');
      // The cors package lists the exposed headers for every origin; without
      // Access-Control-Allow-Origin they expose nothing, as the browser blocks the answer.
      expect(response.headers.vary).toContain('Origin');
    });
  });

  describe('without an Origin header', () => {
    it('sends no CORS headers, and answers OPTIONS with 204', async () => {
      const response = await request(corsApp).post('/token').send(validBody).expect(200);
      expect(response.headers).not.toHaveProperty('access-control-allow-origin');
      await request(corsApp).options('/token').expect(204);
    });
  });

  describe('with CORS_ORIGINS=*', () => {
    it('allows any origin', async () => {
      const open = createApp(testConfig({ CORS_ORIGINS: '*' }));
      const response = await request(open)
        .post('/token')
        .set('Origin', 'https://anywhere.example.org')
        .send(validBody)
        .expect(200);
      expect(response.headers['access-control-allow-origin']).toBe('*');
    });
  });
});
