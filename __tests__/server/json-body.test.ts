import request from 'supertest';
import { createApp } from '../../server/src/app';
import { testConfig } from '../support/fixtures';

const app = createApp(testConfig());
const validBody = { user_email: 'ada@example.com', full_name: 'Ada Lovelace' };

describe('every route taking a JSON body', () => {
  describe('with malformed JSON', () => {
    it('responds 400 with MALFORMED_JSON, as JSON', async () => {
      const response = await request(app)
        .post('/token')
        .set('Content-Type', 'application/json')
        .send('{"user_email": ')
        .expect(400)
        .expect('Content-Type', /application\/json/);
      expect(response.body.error.code).toBe('MALFORMED_JSON');
    });
  });

  describe('with a JSON body that is a bare string', () => {
    it('responds 400 with MALFORMED_JSON', async () => {
      const response = await request(app)
        .post('/validate')
        .set('Content-Type', 'application/json')
        .send('"just a string"')
        .expect(400);
      expect(response.body.error.code).toBe('MALFORMED_JSON');
    });
  });

  describe.each([
    ['text/plain', 'user_email=ada@example.com'],
    ['application/x-www-form-urlencoded', 'user_email=ada%40example.com&full_name=Ada'],
    ['multipart/form-data; boundary=x', '--x--'],
  ])('with a %s body', (contentType, body) => {
    it.each([['/token'], ['/validate']])(
      'responds 415 with UNSUPPORTED_MEDIA_TYPE on %s',
      async (path) => {
        const response = await request(app)
          .post(path)
          .set('Content-Type', contentType)
          .send(body)
          .expect(415);
        expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      },
    );
  });

  describe.each([
    ['/token', 256],
    ['/connection-details', 256],
    ['/validate', 512],
  ])('with a JSON body to %s over %i KiB', (route, limitKiB) => {
    it('responds 413 with PAYLOAD_TOO_LARGE', async () => {
      const response = await request(app)
        .post(route)
        .send({ padding: 'x'.repeat(limitKiB * 1024) })
        .expect(413);
      expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    });
  });

  describe('with an unsupported body encoding', () => {
    it('responds 415 with UNSUPPORTED_MEDIA_TYPE', async () => {
      const response = await request(app)
        .post('/token')
        .set('Content-Type', 'application/json; charset=latin1')
        .send(JSON.stringify(validBody))
        .expect(415);
      expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });
  });
});
