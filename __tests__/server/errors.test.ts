import express from 'express';
import request from 'supertest';
import { createApp } from '../../server/src/app';
import { errorHandler, HttpError } from '../../server/src/errors';
import type { Logger } from '../../server/src/logger';
import { capturingLogger } from '../support/capturing-logger';
import { TEST_API_SECRET, testConfig } from '../support/fixtures';

const app = createApp(testConfig());

describe('unknown paths', () => {
  describe('at an unknown path', () => {
    it('responds 404 with NOT_FOUND, as JSON', async () => {
      const response = await request(app)
        .get('/admin')
        .expect(404)
        .expect('Content-Type', /application\/json/);
      expect(response.body.error.code).toBe('NOT_FOUND');
    });
  });

  describe('at an unknown path holding a token', () => {
    it('responds 404 without echoing the token', async () => {
      const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlLXZhbHVl';
      const response = await request(app).get(`/token/${token}`).expect(404);
      expect(response.body.error.message).toBe('No route for GET /token/[redacted].');
    });
  });

  describe('at a path with a malformed escape', () => {
    it('responds with a 4xx JSON error', async () => {
      const response = await request(app).get('/%E0%A4%A');
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.body.error.code).toEqual(expect.any(String));
    });
  });
});

describe('the error handler', () => {
  function appThrowing(error: unknown, logger: Logger) {
    const broken = express();
    broken.get('/boom', () => {
      throw error;
    });
    broken.get('/async-boom', async () => {
      await Promise.resolve();
      throw error;
    });
    broken.use(errorHandler(logger));
    return broken;
  }

  describe.each([['/boom'], ['/async-boom']])('with an unexpected error at %s', (path) => {
    it('responds 500 with INTERNAL_ERROR and a generic message, and logs the detail', async () => {
      const logger = capturingLogger();
      const failure = new Error(`database exploded near ${TEST_API_SECRET}`);
      const response = await request(appThrowing(failure, logger))
        .get(path)
        .expect(500)
        .expect('Content-Type', /application\/json/);
      expect(response.body).toEqual({
        error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side.' },
      });
      expect(response.text).not.toContain('exploded');
      expect(response.text).not.toContain('at ');
      expect(logger.lines).toHaveLength(1);
      expect(String(logger.lines[0]?.fields?.error)).toContain('database exploded');
    });
  });

  it('answers an HttpError with its status, code, message and details', async () => {
    const logger = capturingLogger();
    const error = new HttpError('VALIDATION_ERROR', 'Odd.', {
      details: [{ field: 'a', message: 'b' }],
    });
    const response = await request(appThrowing(error, logger)).get('/boom').expect(400);
    expect(response.body).toEqual({
      error: { code: 'VALIDATION_ERROR', message: 'Odd.', details: [{ field: 'a', message: 'b' }] },
    });
    expect(logger.lines).toEqual([]);
  });

  it('answers a thrown non-Error with a 500', async () => {
    const response = await request(appThrowing('a string', capturingLogger()))
      .get('/boom')
      .expect(500);
    expect(response.body.error.code).toBe('INTERNAL_ERROR');
  });
});
