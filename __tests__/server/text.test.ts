import request from 'supertest';
import { createApp } from '../../server/src/app';
import { isIdentifierText, isPrintableText } from '../../server/src/text';
import { testConfig } from '../support/fixtures';

const app = createApp(testConfig({ LIVEKIT_URL: 'wss://livekit.example.com' }));
const validBody = { user_email: 'ada@example.com', full_name: 'Ada Lovelace' };

/** Sends JSON text as written, so that escapes such as \ud800 reach the server as they are. */
function postRaw(path: string, json: string) {
  return request(app).post(path).set('Content-Type', 'application/json').send(json);
}

describe('isPrintableText and isIdentifierText', () => {
  it.each([
    ['a lone high surrogate', 'admin\ud800'],
    ['a lone low surrogate', 'admin\udc00'],
    ['a control character', 'ad\u0007min'],
    ['only white space', '   '],
  ])('refuse %s', (_label, text) => {
    expect(isPrintableText(text)).toBe(false);
    expect(isIdentifierText(text)).toBe(false);
  });

  it.each([
    ['a zero-width space', 'adm\u200bin'],
    ['a right-to-left override', 'admin\u202etxt.exe'],
    ['a right-to-left isolate', '\u2067admin'],
    ['a zero-width joiner', 'ad\u200dmin'],
    ['a byte order mark', '\ufeffadmin'],
  ])('allow %s in display text but not in identifiers', (_label, text) => {
    expect(isPrintableText(text)).toBe(true);
    expect(isIdentifierText(text)).toBe(false);
  });

  it('allow emoji, whose surrogates come in pairs', () => {
    expect(isIdentifierText('ada-🚀')).toBe(true);
  });
});

describe('POST /token', () => {
  describe.each([
    ['user_id', '"user_id":"admin\\ud800"'],
    ['user_id', '"user_id":"admin\\udc00"'],
    ['room_name', '"room_name":"room\\udfff"'],
    ['full_name', '"full_name":"Ada\\ud83d"'],
    ['user_email', '"user_email":"ada\\ud800@example.com"'],
    ['metadata', '"metadata":"{\\"x\\":\\"\\ud800\\"}"'],
  ])('with a lone surrogate in %s', (field, member) => {
    it('responds 400 VALIDATION_ERROR naming it', async () => {
      const body = JSON.stringify(validBody).replace(/^\{/, `{${member},`);
      // A later duplicate key wins in JSON.parse: the hostile member comes last.
      const json = `${body.slice(0, -1)},${member}}`;
      const response = await postRaw('/token', json).expect(400);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
      expect(response.body.error.details.map((detail: { field: string }) => detail.field)).toEqual([
        field,
      ]);
    });
  });

  describe('with a lone surrogate in an attribute value', () => {
    it('responds 400 naming attributes', async () => {
      const response = await postRaw(
        '/token',
        '{"user_email":"ada@example.com","full_name":"Ada","attributes":{"seat":"\\udc00"}}',
      ).expect(400);
      expect(response.body.error.details).toEqual([
        { field: 'attributes', message: expect.stringMatching(/lone UTF-16 surrogates/) },
      ]);
    });
  });

  describe.each([
    ['user_id', { user_id: 'adm\u200bin' }],
    ['room_name', { room_name: 'room\u202e' }],
    ['user_email', { user_email: 'ad\u200dmin@example.com' }],
  ])('with an invisible or bidi-control character in %s', (field, fields) => {
    it('responds 400 VALIDATION_ERROR naming it', async () => {
      const response = await request(app)
        .post('/token')
        .send({ ...validBody, ...fields })
        .expect(400);
      expect(response.body.error.details).toEqual([
        { field, message: expect.stringMatching(/invisible or bidirectional-control characters/) },
      ]);
    });
  });

  describe('with bidi and zero-width characters in full_name', () => {
    it('mints the token: display names may need them', async () => {
      await request(app)
        .post('/token')
        .send({ ...validBody, full_name: '\u2067שלום\u2069 Ada\u200d' })
        .expect(200);
    });
  });
});

describe('POST /connection-details', () => {
  it.each([
    ['participant_identity', '{"participant_identity":"admin\\ud800"}'],
    ['room_name', '{"room_name":"\\u202eroom"}'],
    ['room_config.agents.0.agent_name', '{"room_config":{"agents":[{"agent_name":"a\\u200bb"}]}}'],
  ])('refuses odd text in %s with 400 naming it', async (field, json) => {
    const response = await postRaw('/connection-details', json).expect(400);
    expect(response.body.error.details.map((detail: { field: string }) => detail.field)).toEqual([
      field,
    ]);
  });
});
