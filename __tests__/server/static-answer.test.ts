import express from 'express';
import request from 'supertest';
import { acceptsGzip, sendStatic, staticBody } from '../../server/src/static-answer';

describe('acceptsGzip', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['br;q=1.0, GZIP;q=0.5', true],
    ['*', true],
    ['gzip;q=0', false],
    ['gzip;q=0.0, br', false],
    ['identity', false],
    ['deflate, br', false],
    ['', false],
    [undefined, false],
  ])('answers %p with %p', (header, accepted) => {
    expect(acceptsGzip(header)).toBe(accepted);
  });
});

describe('sendStatic', () => {
  const large = staticBody('text/plain; charset=utf-8', Buffer.from('word '.repeat(5_000)));
  const small = staticBody('text/plain; charset=utf-8', Buffer.from('tiny'));
  const app = express();
  app.get('/large', (req, res) => sendStatic(req, res, large, 'no-cache'));
  app.get('/small', (req, res) => sendStatic(req, res, small, 'no-cache'));

  it('sends the gzip made once to a client that takes it, the plain bytes to others', async () => {
    const gzipped = await request(app).get('/large').set('Accept-Encoding', 'gzip').expect(200);
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(Number(gzipped.headers['content-length'])).toBe(large.gzip.length);
    expect(gzipped.text).toBe(large.plain.toString());
    const plain = await request(app).get('/large').set('Accept-Encoding', 'identity').expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(Number(plain.headers['content-length'])).toBe(large.plain.length);
  });

  it('sends a body too small to be worth it as it is, whatever the client takes', async () => {
    const response = await request(app).get('/small').set('Accept-Encoding', 'gzip').expect(200);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.text).toBe('tiny');
  });

  it('answers 304 without a body to an If-None-Match naming its ETag, among others', async () => {
    const response = await request(app)
      .get('/large')
      .set('If-None-Match', `"other", ${large.etag}`)
      .expect(304);
    expect(response.text).toBe('');
    await request(app).get('/large').set('If-None-Match', '"other"').expect(200);
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await request(app).head('/large').set('Accept-Encoding', 'identity');
    expect(response.status).toBe(200);
    expect(Number(response.headers['content-length'])).toBe(large.plain.length);
    expect(response.text).toBeUndefined();
  });

  it('gives equal bodies one ETag and hash, and different bodies others', () => {
    const again = staticBody('text/plain', Buffer.from('word '.repeat(5_000)));
    expect(again.etag).toBe(large.etag);
    expect(again.hash).toBe(large.hash);
    expect(small.etag).not.toBe(large.etag);
    expect(large.hash).toMatch(/^[\w-]{10}$/);
  });
});
