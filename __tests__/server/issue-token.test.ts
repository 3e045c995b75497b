import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import { TokenVerifier } from 'livekit-server-sdk';
import request from 'supertest';
import { createApp } from '../../server/src/app';
import type { Caller } from '../../server/src/caller';
import { mayRequestRole, participantFor } from '../../server/src/issue-token';
import {
  CALLER_ISSUER,
  CALLER_AUDIENCE,
  CALLER_JWT_SECRET,
  callerJwtWithSecret,
} from '../support/jwks';
import {
  EXPECTED_ROLE_GRANTS,
  TEST_API_KEY,
  TEST_API_SECRET,
  testConfig,
} from '../support/fixtures';

const CALLER_KEY = 'backend-key-0123456789abcdefghijklmnopqrstuv';
const body = { user_email: 'ada@example.com', full_name: 'Ada Lovelace', room_name: 'class-101' };
const verifier = new TokenVerifier(TEST_API_KEY, TEST_API_SECRET);

describe('mayRequestRole', () => {
  const publicRoles = new Set(['participant', 'viewer']);
  const anonymous: Caller = { kind: 'anonymous' };
  const backend: Caller = { kind: 'api-key', keyId: 'key-1' };
  const login = (roles: string[]): Caller => ({
    kind: 'jwt',
    identity: 'user-ada',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    roles,
  });

  describe('for an anonymous caller', () => {
    it.each(['participant', 'viewer'])('allows the public role %s', (role) => {
      expect(mayRequestRole(anonymous, role, publicRoles)).toBe(true);
    });

    it.each(['host', 'moderator'])('refuses %s, which is not public', (role) => {
      expect(mayRequestRole(anonymous, role, publicRoles)).toBe(false);
    });

    it('refuses even participant when no role is public', () => {
      expect(mayRequestRole(anonymous, 'participant', new Set())).toBe(false);
    });
  });

  describe('for an api-key caller', () => {
    it.each(['participant', 'viewer', 'host', 'moderator'])('allows %s', (role) => {
      expect(mayRequestRole(backend, role, publicRoles)).toBe(true);
    });

    it('allows any role when no role is public', () => {
      expect(mayRequestRole(backend, 'host', new Set())).toBe(true);
    });
  });

  describe('for a jwt caller', () => {
    it.each(['participant', 'viewer'])(
      'allows the public role %s to a login without roles',
      (role) => {
        expect(mayRequestRole(login([]), role, publicRoles)).toBe(true);
      },
    );

    it('refuses host to a login without roles', () => {
      expect(mayRequestRole(login([]), 'host', publicRoles)).toBe(false);
    });

    it('allows host to a login whose roles list it', () => {
      expect(mayRequestRole(login(['viewer', 'host']), 'host', publicRoles)).toBe(true);
    });

    it('refuses host to a login whose roles list others only', () => {
      expect(mayRequestRole(login(['moderator']), 'host', publicRoles)).toBe(false);
    });

    it('compares role names exactly', () => {
      expect(mayRequestRole(login(['Host', 'host ', 'hos']), 'host', publicRoles)).toBe(false);
    });

    it('allows a role its login lists even when no role is public', () => {
      expect(mayRequestRole(login(['participant']), 'participant', new Set())).toBe(true);
      expect(mayRequestRole(login([]), 'participant', new Set())).toBe(false);
    });
  });
});

describe('roles and agents', () => {
  const LIVEKIT_URL = 'wss://rtc.example.com';
  const moderatorGrant = { canPublish: true, canSubscribe: true, roomAdmin: true, hidden: true };
  let directory: string;
  let rolesApp: Express;
  let anonymousApp: Express;

  beforeAll(() => {
    // testConfig reads files from disk, so ROLES_FILE names a real one.
    directory = mkdtempSync(join(tmpdir(), 'token-server-roles-'));
    const rolesFile = join(directory, 'roles.json');
    writeFileSync(rolesFile, JSON.stringify({ moderator: moderatorGrant }));
    rolesApp = createApp(
      testConfig({
        AUTH_MODE: 'api-key',
        TOKEN_SERVER_API_KEYS: CALLER_KEY,
        ROLES_FILE: rolesFile,
        // Only participant is public: a backend may still ask for any role.
        PUBLIC_ROLES: 'participant',
        AGENT_NAMES: 'support-agent,tutor',
        LIVEKIT_URL,
      }),
    );
    anonymousApp = createApp(
      testConfig({ AUTH_MODE: 'none', AGENT_NAMES: 'support-agent', LIVEKIT_URL }),
    );
  });

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  /** POST to a token route with the caller key, or anonymously without one. */
  function post(target: Express, path: string, body: object, key?: string) {
    const posting = request(target).post(path);
    if (key !== undefined) posting.set('X-API-Key', key);
    return posting.send(body);
  }

  /** The minted token in a 200 or 201 answer of either route. */
  function tokenOf(response: request.Response): string {
    return (response.body.token ?? response.body.participant_token) as string;
  }

  const routes = [
    ['POST /token', '/token', 200, body],
    ['POST /connection-details', '/connection-details', 201, { room_name: 'class-101' }],
  ] as const;

  describe.each(routes)('%s', (_route, path, okStatus, baseBody) => {
    describe('with AUTH_MODE=api-key', () => {
      it.each([
        ['host', EXPECTED_ROLE_GRANTS.host],
        ['viewer', EXPECTED_ROLE_GRANTS.viewer],
        ['moderator', { ...moderatorGrant, roomJoin: true }],
      ])(
        `responds ${okStatus} for role %s, not public, with a token of its grants`,
        async (role, grant) => {
          const response = await post(rolesApp, path, { ...baseBody, role }, CALLER_KEY);
          expect(response.status).toBe(okStatus);
          expect(response.body.role).toBe(role);
          const claims = await verifier.verify(tokenOf(response));
          expect(claims.video).toEqual({ ...grant, room: 'class-101' });
        },
      );

      it('responds 400 with VALIDATION_ERROR on role for a role the server does not know', async () => {
        const response = await post(
          rolesApp,
          path,
          { ...baseBody, role: 'superuser' },
          CALLER_KEY,
        ).expect(400);
        expect(response.body.error.code).toBe('VALIDATION_ERROR');
        expect(response.body.error.details).toEqual([
          { field: 'role', message: expect.any(String) },
        ]);
      });

      describe('and AGENT_NAMES', () => {
        it(`responds ${okStatus} dispatching the agents it lists`, async () => {
          const response = await post(
            rolesApp,
            path,
            {
              ...baseBody,
              room_config: { agents: [{ agent_name: 'tutor' }, { agent_name: 'support-agent' }] },
            },
            CALLER_KEY,
          );
          expect(response.status).toBe(okStatus);
          const claims = await verifier.verify(tokenOf(response));
          expect(claims.roomConfig?.agents?.map((agent) => agent.agentName)).toEqual([
            'tutor',
            'support-agent',
          ]);
        });

        it.each([
          ['an agent it does not list', [{ agent_name: 'billing-agent' }]],
          [
            'a listed agent beside one it does not list',
            [{ agent_name: 'tutor' }, { agent_name: 'Tutor' }],
          ],
        ])('responds 403 with AGENT_NOT_ALLOWED and no token for %s', async (_label, agents) => {
          const response = await post(
            rolesApp,
            path,
            { ...baseBody, room_config: { agents } },
            CALLER_KEY,
          );
          expect(response.status).toBe(403);
          expect(response.body).toEqual({
            error: { code: 'AGENT_NOT_ALLOWED', message: expect.any(String) },
          });
        });
      });
    });

    describe('with AUTH_MODE=none', () => {
      it('responds 403 with ROLE_NOT_ALLOWED and no token for role host', async () => {
        const response = await post(anonymousApp, path, { ...baseBody, role: 'host' });
        expect(response.status).toBe(403);
        expect(response.body).toEqual({
          error: { code: 'ROLE_NOT_ALLOWED', message: expect.any(String) },
        });
      });

      it.each(['participant', 'viewer'])(
        `responds ${okStatus} for the public role %s`,
        async (role) => {
          const response = await post(anonymousApp, path, { ...baseBody, role });
          expect(response.status).toBe(okStatus);
          expect(response.body.role).toBe(role);
        },
      );

      it('responds 403 with AGENT_NOT_ALLOWED for an agent AGENT_NAMES does not list', async () => {
        const response = await post(anonymousApp, path, {
          ...baseBody,
          room_config: { agents: [{ agent_name: 'tutor' }] },
        });
        expect(response.status).toBe(403);
        expect(response.body.error.code).toBe('AGENT_NOT_ALLOWED');
      });

      it(`responds ${okStatus} for the agent AGENT_NAMES lists`, async () => {
        const response = await post(anonymousApp, path, {
          ...baseBody,
          room_config: { agents: [{ agent_name: 'support-agent' }] },
        });
        expect(response.status).toBe(okStatus);
      });
    });
  });
});

describe('participantFor', () => {
  const login = (name: string | undefined): Caller => ({
    kind: 'jwt',
    identity: 'ada-login',
    name,
    email: undefined,
    roles: [],
  });
  const asked = (fields: { identity?: string; name?: string } = {}) => ({
    identity: fields.identity,
    identityField: 'user_id',
    name: fields.name,
    defaultIdentity: () => 'default-identity',
  });

  describe('without a login', () => {
    const anonymous: Caller = { kind: 'anonymous' };

    it('takes the identity and name asked for', () => {
      expect(participantFor(anonymous, asked({ identity: 'ada', name: 'Ada' }))).toEqual({
        identity: 'ada',
        name: 'Ada',
      });
    });

    it("falls back on the route's default identity, and no name", () => {
      expect(participantFor(anonymous, asked())).toEqual({
        identity: 'default-identity',
        name: undefined,
      });
    });
  });

  describe('with a login', () => {
    it("takes the login's identity and its name", () => {
      expect(participantFor(login('Ada Lovelace'), asked())).toEqual({
        identity: 'ada-login',
        name: 'Ada Lovelace',
      });
    });

    it("takes the name asked for over the login's", () => {
      expect(participantFor(login('Ada Lovelace'), asked({ name: 'Countess' })).name).toBe(
        'Countess',
      );
    });

    it.each([
      ['a control character', 'Ada\u0007'],
      ['only white space', '  '],
      ['257 characters', 'a'.repeat(257)],
      ['a lone surrogate', 'Ada\udc00'],
      ['nothing', undefined],
    ])('drops a login name of %s', (_label, name) => {
      expect(participantFor(login(name), asked()).name).toBeUndefined();
    });

    it('refuses another identity with IDENTITY_MISMATCH, naming the field', () => {
      expect(() => participantFor(login(undefined), asked({ identity: 'bob' }))).toThrow(
        expect.objectContaining({
          code: 'IDENTITY_MISMATCH',
          message: expect.stringMatching(/^user_id /),
        }),
      );
    });
  });
});

describe.each([
  ['POST /token', '/token', 200],
  ['POST /connection-details', '/connection-details', 201],
] as const)('%s with AUTH_MODE=jwt and an empty body', (_route, path, okStatus) => {
  const app = createApp(
    testConfig({
      AUTH_MODE: 'jwt',
      AUTH_JWT_SECRET: CALLER_JWT_SECRET,
      AUTH_ISSUER: CALLER_ISSUER,
      AUTH_AUDIENCE: CALLER_AUDIENCE,
      LIVEKIT_URL: 'wss://livekit.example.test',
    }),
  );
  const postAs = async (claims: Record<string, unknown>) =>
    request(app)
      .post(path)
      .set('Authorization', `Bearer ${await callerJwtWithSecret(CALLER_JWT_SECRET, { claims })}`)
      .send({});

  it(`responds ${okStatus} with the login's name in the token`, async () => {
    const response = await postAs({ sub: 'ada-login', name: 'Ada Lovelace' });
    expect(response.status).toBe(okStatus);
    const claims = await verifier.verify(response.body.token ?? response.body.participant_token);
    expect(claims).toMatchObject({ sub: 'ada-login', name: 'Ada Lovelace' });
  });

  it(`responds ${okStatus} without a name when the login's name holds a control character`, async () => {
    const response = await postAs({ sub: 'ada-login', name: 'Ada\u0007' });
    expect(response.status).toBe(okStatus);
    const claims = await verifier.verify(response.body.token ?? response.body.participant_token);
    expect(claims.sub).toBe('ada-login');
    expect(claims.name).toBeUndefined();
  });
});

describe.each([
  ['POST /token', '/token', 200, 'attributes', { user_id: 'ada', full_name: 'Ada' }],
  ['POST /connection-details', '/connection-details', 201, 'participant_attributes', {}],
] as const)("%s with LiveKit's own lk.* attributes", (_route, path, okStatus, field, baseBody) => {
  const livekitUrl = { LIVEKIT_URL: 'wss://livekit.example.test' };
  const reserved = { 'lk.agent.state': 'speaking', team: 'blue' };

  it('responds 403 with ATTRIBUTE_NOT_ALLOWED and no token to an anonymous caller', async () => {
    const response = await request(createApp(testConfig(livekitUrl)))
      .post(path)
      .send({ ...baseBody, [field]: reserved });
    expect(response.status).toBe(403);
    expect(response.body).toEqual({
      error: { code: 'ATTRIBUTE_NOT_ALLOWED', message: expect.stringMatching(/lk\./) },
    });
  });

  it('responds 403 with ATTRIBUTE_NOT_ALLOWED to a login, lk.publish_on_behalf among them', async () => {
    const app = createApp(
      testConfig({
        ...livekitUrl,
        AUTH_MODE: 'jwt',
        AUTH_JWT_SECRET: CALLER_JWT_SECRET,
        AUTH_ISSUER: CALLER_ISSUER,
        AUTH_AUDIENCE: CALLER_AUDIENCE,
      }),
    );
    const login = await callerJwtWithSecret(CALLER_JWT_SECRET, { claims: { sub: 'ada' } });
    const response = await request(app)
      .post(path)
      .set('Authorization', `Bearer ${login}`)
      .send({ ...baseBody, [field]: { 'lk.publish_on_behalf': 'agent-1' } });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('ATTRIBUTE_NOT_ALLOWED');
  });

  it(`responds ${okStatus} to a backend with an API key, with the attributes in the token`, async () => {
    const app = createApp(
      testConfig({ ...livekitUrl, AUTH_MODE: 'api-key', TOKEN_SERVER_API_KEYS: CALLER_KEY }),
    );
    const response = await request(app)
      .post(path)
      .set('X-API-Key', CALLER_KEY)
      .send({ ...baseBody, [field]: reserved });
    expect(response.status).toBe(okStatus);
    const claims = await verifier.verify(response.body.token ?? response.body.participant_token);
    expect(claims.attributes).toEqual(reserved);
  });

  it(`responds ${okStatus} to anyone for attributes that only look alike (lk, lkx.a, LK.a)`, async () => {
    const lookalikes = { lk: 'a', 'lkx.state': 'b', 'LK.agent.state': 'c' };
    const response = await request(createApp(testConfig(livekitUrl)))
      .post(path)
      .send({ ...baseBody, [field]: lookalikes });
    expect(response.status).toBe(okStatus);
  });
});
