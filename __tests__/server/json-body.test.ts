import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import request from 'supertest';
import { createApp } from '../../server/src/app';
import { createHttpServer } from '../../server/src/http-server';
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

/** Starts the app on a loopback port, as the entry point does. */
async function listen(): Promise<Server> {
  const server = createHttpServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Everything the server sends on a raw connection until it closes it, or `waitMs` passes. */
function readUntilClosed(
  socket: Socket,
  waitMs: number,
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    const timer = setTimeout(() => resolve({ text, closed: false }), waitMs);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
  });
}

describe('POST /token body reading', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = await listen();
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  describe('with a Content-Length over the limit', () => {
    it('responds 413 PAYLOAD_TOO_LARGE at once and closes, reading none of the body', async () => {
      const socket = connect(port, '127.0.0.1');
      socket.write(
        'POST /token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
          'Content-Length: 99999999\r\n\r\n{"user_email":',
      );
      const { text, closed } = await readUntilClosed(socket, 5000);
      socket.destroy();
      expect(closed).toBe(true);
      expect(text).toMatch(/^HTTP\/1\.1 413 /);
      expect(text).toMatch(/connection: close/i);
      expect(text).toContain('"code":"PAYLOAD_TOO_LARGE"');
    });
  });

  describe('with an endless chunked body', () => {
    it('responds 413 as soon as the body passes the limit, and stops reading', async () => {
      const socket = connect(port, '127.0.0.1');
      socket.write(
        'POST /token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
          'Transfer-Encoding: chunked\r\n\r\n',
      );
      const chunk = `10000\r\n${' '.repeat(0x10000)}\r\n`;
      let sentBytes = 0;
      let sending = true;
      const pump = () => {
        // Far more than the limit, unless the server cuts it off first.
        while (sending && sentBytes < 64 * 1024 * 1024) {
          sentBytes += 0x10000;
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      socket.on('error', () => undefined);
      pump();
      const { text, closed } = await readUntilClosed(socket, 10_000);
      sending = false;
      socket.destroy();
      expect(closed).toBe(true);
      expect(text).toMatch(/^HTTP\/1\.1 413 /);
      expect(text).toContain('"code":"PAYLOAD_TOO_LARGE"');
      expect(sentBytes).toBeLessThan(64 * 1024 * 1024);
    });
  });

  describe('with a chunked body under the limit', () => {
    it('reads it whole and mints the token', async () => {
      const socket = connect(port, '127.0.0.1');
      const body = JSON.stringify(validBody);
      const half = Math.floor(body.length / 2);
      socket.write(
        'POST /token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
          'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
          `${half.toString(16)}\r\n${body.slice(0, half)}\r\n` +
          `${(body.length - half).toString(16)}\r\n${body.slice(half)}\r\n0\r\n\r\n`,
      );
      const { text } = await readUntilClosed(socket, 5000);
      socket.destroy();
      expect(text).toMatch(/^HTTP\/1\.1 200 /);
      expect(text).toContain('"token":');
    });
  });
});

describe('POST /token body encodings', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = await listen();
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Sends the bytes as they are: supertest would serialize a Buffer as JSON. */
  async function postBytes(body: Buffer, headers: Record<string, string> = {}) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: new Uint8Array(body),
    });
    return {
      status: response.status,
      body: (await response.json()) as { error?: { code: string; message: string } },
    };
  }

  describe('in UTF-16 without a charset', () => {
    it.each([
      [
        'little-endian with a byte order mark',
        Buffer.concat([
          Buffer.from([0xff, 0xfe]),
          Buffer.from(JSON.stringify(validBody), 'utf16le'),
        ]),
      ],
      ['little-endian without one', Buffer.from(JSON.stringify(validBody), 'utf16le')],
      ['big-endian with a byte order mark', Buffer.from([0xfe, 0xff, 0x00, 0x7b, 0x00, 0x7d])],
    ])('%s: responds 415 UNSUPPORTED_MEDIA_TYPE', async (_label, body) => {
      const response = await postBytes(body);
      expect(response.status).toBe(415);
      expect(response.body.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(response.body.error?.message).toMatch(/UTF-8/);
    });
  });

  describe('in UTF-8 with a byte order mark', () => {
    it('reads it as JSON', async () => {
      const body = Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(JSON.stringify(validBody)),
      ]);
      expect((await postBytes(body)).status).toBe(200);
    });
  });

  describe('with charset=utf-16 declared', () => {
    it('responds 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const response = await postBytes(Buffer.from(JSON.stringify(validBody), 'utf16le'), {
        'Content-Type': 'application/json; charset=utf-16',
      });
      expect(response.status).toBe(415);
      expect(response.body.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('with Content-Encoding: gzip', () => {
    it('responds 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const response = await postBytes(Buffer.from('not really gzip'), {
        'Content-Encoding': 'gzip',
      });
      expect(response.status).toBe(415);
      expect(response.body.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('with JSON that is not an object or a list', () => {
    it.each(['"text"', '42', 'null', 'true'])('%s: responds 400 MALFORMED_JSON', async (text) => {
      const response = await request(app)
        .post('/token')
        .set('Content-Type', 'application/json')
        .send(text)
        .expect(400);
      expect(response.body.error.code).toBe('MALFORMED_JSON');
    });
  });
});
