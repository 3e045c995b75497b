import { TokenVerifier } from 'livekit-server-sdk';
import request from 'supertest';
import { createApp } from '../../../server/src/app';
import {
  decodeSegment,
  EXPECTED_ROLE_GRANTS,
  TEST_API_KEY,
  TEST_API_SECRET,
  testConfig,
} from '../../support/fixtures';

const LIVEKIT_URL = 'wss://livekit.example.test';
const verifier = new TokenVerifier(TEST_API_KEY, TEST_API_SECRET);
const app = createApp(testConfig({ LIVEKIT_URL }));

function postDetails(body?: unknown, target = app) {
  const post = request(target).post('/connection-details');
  return body === undefined ? post : post.send(body as object);
}

/** The claims of the token in a /connection-details answer, checked by the SDK. */
async function claimsOf(response: request.Response) {
  return verifier.verify(response.body.participant_token as string);
}

/** The fields a 400 VALIDATION_ERROR names. */
function fieldsOf(response: request.Response): string[] {
  expect(response.body.error.code).toBe('VALIDATION_ERROR');
  return (response.body.error.details as { field: string }[]).map((detail) => detail.field);
}

describe('POST /connection-details', () => {
  describe('without LIVEKIT_URL configured', () => {
    const withoutUrl = createApp(testConfig());

    it('responds 503 with LIVEKIT_URL_NOT_SET, naming the variable', async () => {
      const response = await postDetails({}, withoutUrl).expect(503);
      expect(response.body.error.code).toBe('LIVEKIT_URL_NOT_SET');
      expect(response.body.error.message).toMatch(/LIVEKIT_URL/);
      expect(response.body).not.toHaveProperty('participant_token');
    });
  });

  describe('with no body at all', () => {
    it('responds 201 with server_url and a token for a generated room and identity', async () => {
      const before = Date.now();
      const response = await postDetails().expect(201);
      expect(response.body).toEqual({
        server_url: LIVEKIT_URL,
        participant_token: expect.any(String),
        room_name: expect.stringMatching(/^room-[A-Za-z0-9_-]{16}$/),
        participant_identity: expect.stringMatching(/^participant-[A-Za-z0-9_-]{16}$/),
        role: 'participant',
        expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
      });
      const claims = await claimsOf(response);
      expect(claims.sub).toBe(response.body.participant_identity);
      expect(claims.video).toEqual({
        room: response.body.room_name,
        ...EXPECTED_ROLE_GRANTS.participant,
      });
      expect(claims).not.toHaveProperty('name');
      expect(claims).not.toHaveProperty('metadata');
      expect(claims).not.toHaveProperty('roomConfig');
      expect(Date.parse(response.body.expires_at)).toBeGreaterThanOrEqual(
        before - 1000 + 24 * 3600 * 1000,
      );
    });

    it('generates a different room and identity each time', async () => {
      const [first, second] = await Promise.all([postDetails(), postDetails()]);
      expect(first?.body.room_name).not.toBe(second?.body.room_name);
      expect(first?.body.participant_identity).not.toBe(second?.body.participant_identity);
    });

    it('forbids caching the answer', async () => {
      await postDetails({}).expect(201).expect('Cache-Control', 'no-store');
    });
  });

  describe('with every field of LiveKit’s request, in snake_case', () => {
    const body = {
      room_name: 'support-42',
      participant_identity: 'caller-7',
      participant_name: 'Ada Lovelace',
      participant_metadata: '{"plan":"pro"}',
      participant_attributes: { language: 'en', tier: '' },
      room_config: { agents: [{ agent_name: 'support-agent', metadata: '{"topic":"billing"}' }] },
    };

    it('puts each of them into the token', async () => {
      const response = await postDetails(body).expect(201);
      expect(response.body).toMatchObject({
        room_name: 'support-42',
        participant_identity: 'caller-7',
        participant_name: 'Ada Lovelace',
      });
      const claims = await claimsOf(response);
      expect(claims).toMatchObject({
        sub: 'caller-7',
        name: 'Ada Lovelace',
        metadata: '{"plan":"pro"}',
        attributes: { language: 'en', tier: '' },
        video: { room: 'support-42', roomJoin: true },
      });
      expect(claims.roomConfig).toEqual({
        agents: [{ agentName: 'support-agent', metadata: '{"topic":"billing"}' }],
      });
    });
  });

  describe('with the same fields in camelCase', () => {
    it('reads them as the snake_case ones', async () => {
      const response = await postDetails({
        roomName: 'support-42',
        participantIdentity: 'caller-7',
        participantName: 'Ada Lovelace',
        participantMetadata: 'm',
        participantAttributes: { language: 'en' },
        roomConfig: { agents: [{ agentName: 'support-agent', deployment: 'staging' }] },
        ttlSeconds: 600,
      }).expect(201);
      const claims = await claimsOf(response);
      expect(claims).toMatchObject({
        sub: 'caller-7',
        name: 'Ada Lovelace',
        metadata: 'm',
        attributes: { language: 'en' },
        video: { room: 'support-42' },
        roomConfig: { agents: [{ agentName: 'support-agent', deployment: 'staging' }] },
      });
      expect((claims.exp as number) - (claims.nbf as number)).toBe(600);
    });
  });

  describe('with a field in both spellings', () => {
    it('responds 400 with VALIDATION_ERROR naming the field', async () => {
      const response = await postDetails({ room_name: 'a', roomName: 'a' }).expect(400);
      expect(fieldsOf(response)).toEqual(['room_name']);
      expect(response.body.error.message).toMatch(/roomName or room_name, not both/);
    });
  });

  describe('with an unknown field', () => {
    it('responds 400 with VALIDATION_ERROR naming it', async () => {
      const response = await postDetails({ participant_kind: 'agent' }).expect(400);
      expect(fieldsOf(response)).toEqual(['participant_kind']);
    });
  });

  describe.each([
    ['name', 'participant_name'],
    ['identity', 'participant_identity'],
    ['room', 'room_name'],
    ['userId', 'participant_identity'],
    ['fullName', 'participant_name'],
    ['participant_nme', 'participant_name'],
  ])('with the unknown field %s', (key, meant) => {
    it(`responds 400 with VALIDATION_ERROR asking whether ${meant} was meant`, async () => {
      const response = await postDetails({ [key]: 'x' }).expect(400);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
      expect(response.body.error.details).toEqual([
        { field: key, message: `${key} is not an accepted field; did you mean ${meant}?` },
      ]);
    });
  });

  describe('with a body that is not an object', () => {
    it.each([[['room']], ['"room"'], [42]])(
      '%j responds 400 with VALIDATION_ERROR',
      async (body) => {
        const response = await request(app)
          .post('/connection-details')
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(body))
          .expect(400);
        expect(response.body.error.code).toMatch(/VALIDATION_ERROR|MALFORMED_JSON/);
      },
    );
  });

  describe('with a room_config', () => {
    it.each([
      [
        'another key than agents',
        { egress: {} },
        'room_config.egress',
        /room_config.egress is not an accepted field/,
      ],
      [
        'an agent key LiveKit has but this server does not take',
        { agents: [{ agent_name: 'a', restart_policy: 1 }] },
        'room_config.agents.0.restart_policy',
        /restart_policy is not an accepted field/,
      ],
      ['agents that is not a list', { agents: { agent_name: 'a' } }, 'room_config.agents', /list/],
      [
        'more than 8 agents',
        { agents: Array.from({ length: 9 }, (_, index) => ({ agent_name: `agent-${index}` })) },
        'room_config.agents',
        /at most 8/,
      ],
      ['that is not an object', 'agents', 'room_config', /room_config must be a JSON object/],
    ])('with %s responds 400 naming the field', async (_label, roomConfig, field, message) => {
      const response = await postDetails({ room_config: roomConfig }).expect(400);
      expect(fieldsOf(response)).toEqual([field]);
      expect(response.body.error.message).toMatch(message);
    });

    it('with an empty agents list leaves roomConfig out of the token', async () => {
      const response = await postDetails({ room_config: { agents: [] } }).expect(201);
      expect(await claimsOf(response)).not.toHaveProperty('roomConfig');
    });

    it('that is empty, as LiveKit’s Swift and Android clients always send, responds 201', async () => {
      const response = await postDetails({ room_config: {} }).expect(201);
      expect(await claimsOf(response)).not.toHaveProperty('roomConfig');
    });

    it('with an agent without agent_name dispatches LiveKit’s default agent', async () => {
      const response = await postDetails({ room_config: { agents: [{ metadata: 'm' }] } }).expect(
        201,
      );
      expect((await claimsOf(response)).roomConfig).toEqual({ agents: [{ metadata: 'm' }] });
    });

    it('with several agents dispatches each, in order', async () => {
      const response = await postDetails({
        room_config: {
          agents: [{ agent_name: 'greeter' }, { agent_name: 'notetaker', metadata: '' }],
        },
      }).expect(201);
      expect((await claimsOf(response)).roomConfig).toEqual({
        agents: [{ agentName: 'greeter' }, { agentName: 'notetaker' }],
      });
    });
  });

  describe('with participant_metadata', () => {
    it('of exactly 64 KiB puts it into the token', async () => {
      const metadata = 'm'.repeat(64 * 1024);
      const response = await postDetails({ participant_metadata: metadata }).expect(201);
      expect((await claimsOf(response)).metadata).toBe(metadata);
    });

    it('over 64 KiB of UTF-8 responds 400 naming the field', async () => {
      // 32 769 two-byte characters: under the limit in characters, over it in bytes.
      const response = await postDetails({ participant_metadata: 'é'.repeat(32 * 1024 + 1) });
      expect(response.status).toBe(400);
      expect(fieldsOf(response)).toEqual(['participant_metadata']);
      expect(response.body.error.message).toMatch(/65536 bytes/);
    });

    it('that is empty leaves metadata out of the token, as the SDK does', async () => {
      const response = await postDetails({ participant_metadata: '' }).expect(201);
      expect(await claimsOf(response)).not.toHaveProperty('metadata');
    });

    it('that is not a string responds 400', async () => {
      const response = await postDetails({ participant_metadata: { plan: 'pro' } }).expect(400);
      expect(fieldsOf(response)).toEqual(['participant_metadata']);
    });
  });

  describe('with participant_attributes', () => {
    it('holding a value that is not a string responds 400 naming it', async () => {
      const response = await postDetails({ participant_attributes: { level: 3 } }).expect(400);
      expect(fieldsOf(response)).toEqual(['participant_attributes.level']);
    });

    it('over 64 KiB in all responds 400 naming the field', async () => {
      const attributes = { a: 'x'.repeat(32 * 1024), b: 'y'.repeat(32 * 1024) };
      const response = await postDetails({ participant_attributes: attributes }).expect(400);
      expect(fieldsOf(response)).toEqual(['participant_attributes']);
      expect(response.body.error.message).toMatch(/at most 65536 bytes/);
    });

    it('of 64 KiB in all, keys included, puts them into the token', async () => {
      const attributes = { a: 'x'.repeat(32 * 1024 - 1), b: 'y'.repeat(32 * 1024 - 1) };
      const response = await postDetails({ participant_attributes: attributes }).expect(201);
      expect((await claimsOf(response)).attributes).toEqual(attributes);
    });

    it.each([
      ['an empty key', { '': 'x' }],
      ['a key with a control character', { 'a\nb': 'x' }],
      ['the key __proto__', JSON.parse('{"__proto__": "x"}') as Record<string, string>],
    ])('with %s responds 400', async (_label, attributes) => {
      const response = await postDetails({ participant_attributes: attributes }).expect(400);
      expect(fieldsOf(response)).toEqual(['participant_attributes']);
    });

    it('that is a list responds 400', async () => {
      const response = await postDetails({ participant_attributes: ['a'] }).expect(400);
      expect(fieldsOf(response)).toEqual(['participant_attributes']);
    });
  });

  describe('with a role', () => {
    it('viewer gets a subscribe-only grant', async () => {
      const response = await postDetails({ role: 'viewer', room_name: 'stage' }).expect(201);
      expect(response.body.role).toBe('viewer');
      expect((await claimsOf(response)).video).toEqual({
        room: 'stage',
        ...EXPECTED_ROLE_GRANTS.viewer,
      });
    });

    it('host, asked for by an anonymous caller, responds 403 with ROLE_NOT_ALLOWED', async () => {
      const response = await postDetails({ role: 'host' }).expect(403);
      expect(response.body.error.code).toBe('ROLE_NOT_ALLOWED');
      expect(response.body.error.message).toMatch(/participant, viewer/);
      expect(response.body).not.toHaveProperty('participant_token');
    });

    it('that does not exist responds 400 naming the field', async () => {
      const response = await postDetails({ role: 'owner' }).expect(400);
      expect(fieldsOf(response)).toEqual(['role']);
    });
  });

  describe('with ttl_seconds', () => {
    it('shorter than TOKEN_EXPIRY_HOURS gives a token that lives that long', async () => {
      const response = await postDetails({ ttl_seconds: 90 }).expect(201);
      const claims = await claimsOf(response);
      expect((claims.exp as number) - (claims.nbf as number)).toBe(90);
      expect(Date.parse(response.body.expires_at)).toBe((claims.exp as number) * 1000);
    });

    it('equal to TOKEN_EXPIRY_HOURS is accepted', async () => {
      await postDetails({ ttl_seconds: 24 * 3600 }).expect(201);
    });

    it.each([
      ['longer than TOKEN_EXPIRY_HOURS', 24 * 3600 + 1, /at most 86400.*TOKEN_EXPIRY_HOURS/],
      ['zero', 0, /at least 1/],
      ['a fraction', 1.5, /whole number/],
      ['a numeric string', '60', /must be a number/],
    ])('%s responds 400 naming the field', async (_label, ttl, message) => {
      const response = await postDetails({ ttl_seconds: ttl }).expect(400);
      expect(fieldsOf(response)).toEqual(['ttl_seconds']);
      expect(response.body.error.message).toMatch(message);
    });
  });

  describe('with ROOM_NAME_PATTERN set', () => {
    const restricted = createApp(testConfig({ LIVEKIT_URL, ROOM_NAME_PATTERN: 'class-[0-9]+' }));

    it('and a room outside it responds 403 with ROOM_NOT_ALLOWED', async () => {
      const response = await postDetails({ room_name: 'staff-room' }, restricted).expect(403);
      expect(response.body.error.code).toBe('ROOM_NOT_ALLOWED');
    });

    it('and a room inside it responds 201', async () => {
      await postDetails({ room_name: 'class-7' }, restricted).expect(201);
    });
  });

  describe('with ROOM_NAME_PATTERN=([a-z0-9]+)*-room, which backtracking engines choke on', () => {
    const hostilePattern = createApp(
      testConfig({ LIVEKIT_URL, ROOM_NAME_PATTERN: '([a-z0-9]+)*-room' }),
    );

    it('refuses 33 letters and a "!" with 403 ROOM_NOT_ALLOWED, and keeps answering', async () => {
      const response = await postDetails(
        { room_name: `${'a'.repeat(33)}!` },
        hostilePattern,
      ).expect(403);
      expect(response.body.error.code).toBe('ROOM_NOT_ALLOWED');
      await request(hostilePattern).get('/').expect(200);
      await postDetails({ room_name: 'maths-room' }, hostilePattern).expect(201);
    });
  });

  describe('with MAX_METADATA_BYTES=524288, LiveKit’s own cap', () => {
    const roomy = createApp(testConfig({ LIVEKIT_URL, MAX_METADATA_BYTES: '524288' }));

    it('puts 512 KiB of participant_metadata into the token', async () => {
      const metadata = 'm'.repeat(512 * 1024);
      const response = await postDetails({ participant_metadata: metadata }, roomy).expect(201);
      expect((await claimsOf(response)).metadata).toBe(metadata);
    });

    it('refuses a byte more with 400 naming the field', async () => {
      const response = await postDetails(
        { participant_metadata: 'm'.repeat(512 * 1024 + 1) },
        roomy,
      ).expect(400);
      expect(fieldsOf(response)).toEqual(['participant_metadata']);
    });
  });

  describe('with AGENT_NAMES set', () => {
    const restricted = createApp(testConfig({ LIVEKIT_URL, AGENT_NAMES: 'support-agent' }));

    it('and another agent responds 403 with AGENT_NOT_ALLOWED', async () => {
      const response = await postDetails(
        { room_config: { agents: [{ agent_name: 'support-agent' }, { agent_name: 'crawler' }] } },
        restricted,
      ).expect(403);
      expect(response.body.error.code).toBe('AGENT_NOT_ALLOWED');
    });

    it('and an agent without agent_name (the default agent) responds 403 AGENT_NOT_ALLOWED', async () => {
      const response = await postDetails({ room_config: { agents: [{}] } }, restricted).expect(403);
      expect(response.body.error.code).toBe('AGENT_NOT_ALLOWED');
      expect(response.body.error.message).toMatch(/default agent/);
    });

    it('and a listed agent responds 201', async () => {
      await postDetails(
        { room_config: { agents: [{ agent_name: 'support-agent' }] } },
        restricted,
      ).expect(201);
    });
  });

  describe('with a body that is not JSON', () => {
    it('responds 415 with UNSUPPORTED_MEDIA_TYPE', async () => {
      const response = await request(app)
        .post('/connection-details')
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send('room_name=a')
        .expect(415);
      expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });
  });

  it('never puts the API secret into an answer', async () => {
    const response = await postDetails({ participant_name: 'Ada' }).expect(201);
    expect(response.text).not.toContain(TEST_API_SECRET);
    expect(decodeSegment(response.body.participant_token, 0)).toEqual({
      alg: 'HS256',
      typ: 'JWT',
    });
  });
});

describe('GET /connection-details', () => {
  it('responds 405 with METHOD_NOT_ALLOWED and Allow: POST', async () => {
    const response = await request(app).get('/connection-details').expect(405);
    expect(response.body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(response.headers.allow).toBe('POST');
  });
});

describe('OPTIONS /connection-details from an allowed origin', () => {
  it('answers the preflight LiveKit’s TokenSource sends', async () => {
    const response = await request(app)
      .options('/connection-details')
      .set('Origin', 'http://localhost:3000')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type')
      .expect(204);
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(response.headers['access-control-allow-headers']).toMatch(/Content-Type/i);
  });
});
