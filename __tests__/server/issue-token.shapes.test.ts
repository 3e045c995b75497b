import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessToken,
  RoomAgentDispatch,
  RoomConfiguration,
  TokenVerifier,
  TrackSource,
  type VideoGrant,
} from 'livekit-server-sdk';
import request from 'supertest';
import { createApp } from '../../server/src/app';
import {
  decodeSegment,
  EXPECTED_ROLE_GRANTS,
  TEST_API_KEY,
  TEST_API_SECRET,
  testConfig,
} from '../support/fixtures';

/**
 * Every shape of token the two token routes mint, checked the way the issue asks: the SDK's
 * TokenVerifier accepts it, and its claims equal what the SDK's AccessToken writes for the
 * same input (nbf and exp aside; roomConfig compared on the fields that were set, since the
 * SDK also writes every default).
 */

const CALLER_KEY = 'shapes-caller-key-0123456789abcdefghijklmnop';
const verifier = new TokenVerifier(TEST_API_KEY, TEST_API_SECRET);

/** The grants each role should give, written out rather than taken from the server. */
const ROLE_GRANTS: Record<string, VideoGrant> = {
  ...EXPECTED_ROLE_GRANTS,
  presenter: {
    roomJoin: true,
    canPublishSources: [TrackSource.SCREEN_SHARE, TrackSource.MICROPHONE],
    canSubscribe: true,
    hidden: false,
  },
};

let rolesDir: string;
let app: ReturnType<typeof createApp>;

beforeAll(() => {
  rolesDir = mkdtempSync(join(tmpdir(), 'token-shapes-'));
  const rolesFile = join(rolesDir, 'roles.json');
  writeFileSync(
    rolesFile,
    JSON.stringify({
      presenter: {
        canPublishSources: ['screen_share', 'microphone'],
        canSubscribe: true,
        hidden: false,
      },
    }),
  );
  app = createApp(
    testConfig({
      LIVEKIT_URL: 'wss://livekit.example.test',
      AUTH_MODE: 'api-key',
      TOKEN_SERVER_API_KEYS: CALLER_KEY,
      ROLES_FILE: rolesFile,
    }),
  );
});

afterAll(() => rmSync(rolesDir, { recursive: true, force: true }));

/** One input, as both routes and the SDK take it. */
interface Shape {
  role?: string;
  name?: string;
  metadata?: string;
  attributes?: Record<string, string>;
  agents?: { agent_name?: string; metadata?: string; deployment?: string }[];
  ttlSeconds?: number;
}

const SHAPES: [string, Shape][] = [
  ['the default role', {}],
  ['role participant', { role: 'participant' }],
  ['role viewer', { role: 'viewer' }],
  ['role host', { role: 'host' }],
  ['a ROLES_FILE role with canPublishSources', { role: 'presenter' }],
  ['metadata', { metadata: '{"plan":"pro","seat":12}' }],
  ['attributes', { attributes: { language: 'en', 'x-tier': 'gold', empty: '' } }],
  ['an agent', { agents: [{ agent_name: 'support-agent' }] }],
  ['an agent with metadata', { agents: [{ agent_name: 'tutor', metadata: '{"lesson":4}' }] }],
  [
    'an agent with metadata and deployment',
    { agents: [{ agent_name: 'tutor', metadata: 'm', deployment: 'staging' }] },
  ],
  ['two agents', { agents: [{ agent_name: 'greeter' }, { agent_name: 'notetaker' }] }],
  ["LiveKit's default agent (no agent_name)", { agents: [{ metadata: 'x' }] }],
  ['a shorter lifetime', { ttlSeconds: 300 }],
  [
    'everything at once',
    {
      role: 'host',
      metadata: 'm',
      attributes: { a: 'b' },
      agents: [{ agent_name: 'moderator', metadata: 'x' }],
      ttlSeconds: 3600,
    },
  ],
];

/** The claims the SDK's AccessToken writes for a shape, as a decoded payload. */
async function sdkClaims(shape: Shape, identity: string, room: string, ttlSeconds: number) {
  const token = new AccessToken(TEST_API_KEY, TEST_API_SECRET, {
    identity,
    name: shape.name,
    metadata: shape.metadata,
    attributes: shape.attributes,
    ttl: ttlSeconds,
  });
  token.addGrant({ ...ROLE_GRANTS[shape.role ?? 'participant'], room });
  if (shape.agents !== undefined) {
    token.roomConfig = new RoomConfiguration({
      agents: shape.agents.map(
        (agent) =>
          new RoomAgentDispatch({
            agentName: agent.agent_name,
            metadata: agent.metadata,
            deployment: agent.deployment,
          }),
      ),
    });
  }
  return decodeSegment(await token.toJwt(), 1);
}

/** The roomConfig our token should carry: camelCase, only the fields the request set. */
function expectedRoomConfig(shape: Shape) {
  if (shape.agents === undefined) return undefined;
  return {
    agents: shape.agents.map((agent) => ({
      ...(agent.agent_name === undefined ? {} : { agentName: agent.agent_name }),
      ...(agent.metadata === undefined ? {} : { metadata: agent.metadata }),
      ...(agent.deployment === undefined ? {} : { deployment: agent.deployment }),
    })),
  };
}

/** Checks one of our tokens against the SDK's for the same input. */
async function expectSdkEquivalent(token: string, shape: Shape) {
  const ours = await verifier.verify(token);
  const ttlSeconds = shape.ttlSeconds ?? 24 * 3600;
  const theirs = await sdkClaims(shape, ours.sub as string, ours.video?.room as string, ttlSeconds);
  const withoutTimesAndRoomConfig = (claims: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(claims).filter(([claim]) => !['nbf', 'exp', 'roomConfig'].includes(claim)),
    );
  expect(withoutTimesAndRoomConfig(ours)).toEqual(withoutTimesAndRoomConfig(theirs));
  const { nbf, exp, roomConfig } = ours;
  const sdkRoomConfig = theirs.roomConfig;
  expect((exp as number) - (nbf as number)).toBe(ttlSeconds);
  expect(roomConfig).toEqual(expectedRoomConfig(shape));
  if (roomConfig !== undefined) expect(sdkRoomConfig).toMatchObject(roomConfig);
}

describe('POST /token', () => {
  describe.each(SHAPES)('with %s', (_label, shape) => {
    it('mints a token the SDK accepts, with the claims the SDK writes', async () => {
      const response = await request(app)
        .post('/token')
        .set('X-API-Key', CALLER_KEY)
        .send({
          user_email: 'ada@example.com',
          full_name: 'Ada Lovelace',
          room_name: 'shapes',
          role: shape.role,
          metadata: shape.metadata,
          attributes: shape.attributes,
          ttl_seconds: shape.ttlSeconds,
          room_config: shape.agents === undefined ? undefined : { agents: shape.agents },
        })
        .expect(200);
      expect(response.body.role).toBe(shape.role ?? 'participant');
      await expectSdkEquivalent(response.body.token, { ...shape, name: 'Ada Lovelace' });
    });
  });
});

describe('POST /connection-details', () => {
  describe.each(SHAPES)('with %s', (_label, shape) => {
    it('mints a token the SDK accepts, with the claims the SDK writes', async () => {
      const response = await request(app)
        .post('/connection-details')
        .set('X-API-Key', CALLER_KEY)
        .send({
          participant_identity: 'ada',
          participant_metadata: shape.metadata,
          participant_attributes: shape.attributes,
          room_config: shape.agents === undefined ? undefined : { agents: shape.agents },
          role: shape.role,
          ttl_seconds: shape.ttlSeconds,
        })
        .expect(201);
      await expectSdkEquivalent(response.body.participant_token, shape);
    });
  });
});
