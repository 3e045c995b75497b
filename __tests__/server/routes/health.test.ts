import request from 'supertest';
import { createApp, SERVER_VERSION } from '../../../server/src/app';
import serverPackage from '../../../server/package.json';
import { testConfig } from '../../support/fixtures';

const app = createApp(testConfig());

describe('GET /', () => {
  it('responds 200 with status, service, version and an ISO 8601 UTC timestamp', async () => {
    const before = Date.now();
    const response = await request(app).get('/').expect(200).expect('Content-Type', /json/);
    expect(response.body).toEqual({
      status: 'healthy',
      service: 'LiveKit Token Server',
      version: serverPackage.version,
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(Date.parse(response.body.timestamp)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('reports the server package version', () => {
    expect(SERVER_VERSION).toBe(serverPackage.version);
  });

  describe('with POST', () => {
    it('responds 405 with METHOD_NOT_ALLOWED and an Allow header', async () => {
      const response = await request(app).post('/').expect(405);
      expect(response.headers.allow).toBe('GET');
      expect(response.body.error.code).toBe('METHOD_NOT_ALLOWED');
    });
  });
});
