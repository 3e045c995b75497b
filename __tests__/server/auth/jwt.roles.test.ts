import type { Express } from 'express';
import { TokenVerifier } from 'livekit-server-sdk';
import request from 'supertest';
import { createApp } from '../../../server/src/app';
import { EXPECTED_ROLE_GRANTS, TEST_API_KEY, TEST_API_SECRET } from '../../support/fixtures';
import {
  ADA_CLAIMS,
  callerJwt,
  generateCallerKey,
  hostileCallerJwts,
  JwksServer,
  type CallerKey,
  type HostileCallerJwt,
} from '../../support/jwks';
import { expectInvalidCredentials, jwksConfig, postToken } from '../../support/jwt-mode';

const verifier = new TokenVerifier(TEST_API_KEY, TEST_API_SECRET);

let rsaKey: CallerKey;
/** A key the JWKS never serves. */
let strangerKey: CallerKey;
let jwks: JwksServer;
let app: Express;
let hostile: Record<HostileCallerJwt, string>;

beforeAll(async () => {
  [rsaKey, strangerKey] = await Promise.all([
    generateCallerKey('RS256'),
    generateCallerKey('RS256'),
  ]);
  jwks = await JwksServer.start([rsaKey]);
  app = createApp(jwksConfig(jwks), { jwksCooldownMs: 0 });
  hostile = await hostileCallerJwts(rsaKey, strangerKey);
});

afterAll(async () => {
  await jwks.close();
});

describe('roles from the login', () => {
  const LIVEKIT_URL = 'wss://rtc.example.com';
  /** The body of POST /token and /connection-details asking for a role. */
  const asking = (role: string) => ({ role });
  let rolesApp: Express;

  beforeAll(() => {
    rolesApp = createApp(jwksConfig(jwks, { AUTH_ROLES_CLAIM: 'roles', LIVEKIT_URL }), {
      jwksCooldownMs: 0,
    });
  });

  /** A login of Ada's whose claims add the given ones. */
  function loginWith(claims: Record<string, unknown>): Promise<string> {
    return callerJwt(rsaKey, { claims: { ...ADA_CLAIMS, ...claims } });
  }

  /** POST /connection-details as a caller presenting a session JWT. */
  function postConnectionDetails(target: Express, callerToken: string, body: object = {}) {
    return request(target)
      .post('/connection-details')
      .set('Authorization', `Bearer ${callerToken}`)
      .send(body);
  }

  /** Checks a 403 ROLE_NOT_ALLOWED answer that carries no token. */
  function expectRoleNotAllowed(response: request.Response): void {
    expect(response.status).toBe(403);
    expect(response.body).toEqual({
      error: { code: 'ROLE_NOT_ALLOWED', message: expect.any(String) },
    });
  }

  describe('POST /token', () => {
    describe('with AUTH_MODE=jwt and AUTH_ROLES_CLAIM=roles', () => {
      describe('with a login whose roles claim lists host', () => {
        it('responds 200 with role host and a token granting roomAdmin and roomRecord', async () => {
          const login = await loginWith({ roles: ['host'] });
          const response = await postToken(rolesApp, login, {
            ...asking('host'),
            room_name: 'physics-101',
          }).expect(200);
          expect(response.body).toMatchObject({ role: 'host', identity: ADA_CLAIMS.sub });
          const claims = await verifier.verify(response.body.token);
          expect(claims.video).toEqual({ room: 'physics-101', ...EXPECTED_ROLE_GRANTS.host });
        });

        it('responds 200 with the default role participant when the body names none', async () => {
          const response = await postToken(rolesApp, await loginWith({ roles: ['host'] })).expect(
            200,
          );
          expect(response.body.role).toBe('participant');
          const claims = await verifier.verify(response.body.token);
          expect(claims.video?.roomAdmin).toBeUndefined();
        });
      });

      describe('with a login without the roles claim', () => {
        it('responds 403 with ROLE_NOT_ALLOWED and no token for role host', async () => {
          expectRoleNotAllowed(await postToken(rolesApp, await callerJwt(rsaKey), asking('host')));
        });

        it.each(['participant', 'viewer'])('responds 200 for the public role %s', async (role) => {
          const response = await postToken(rolesApp, await callerJwt(rsaKey), asking(role));
          expect(response.status).toBe(200);
          expect(response.body.role).toBe(role);
        });
      });

      describe('with a login whose roles claim lists other roles only', () => {
        it('responds 403 with ROLE_NOT_ALLOWED for role host', async () => {
          const login = await loginWith({ roles: ['viewer', 'moderator', 'Host'] });
          expectRoleNotAllowed(await postToken(rolesApp, login, asking('host')));
        });

        it('responds 200 for the public role viewer', async () => {
          const login = await loginWith({ roles: ['moderator'] });
          await postToken(rolesApp, login, asking('viewer')).expect(200);
        });
      });

      describe.each<[string, unknown]>([
        ['a list', ['viewer', 'host']],
        ['a space-separated string', 'viewer host'],
        ['a comma-separated string', 'viewer,host'],
        ['a string separated by commas and spaces', ' viewer,  host '],
        ['a list with non-string junk beside host', [42, null, { name: 'admin' }, ['x'], 'host']],
      ])('with host in a roles claim that is %s', (_form, roles) => {
        it('responds 200 with role host', async () => {
          const response = await postToken(rolesApp, await loginWith({ roles }), asking('host'));
          expect(response.status).toBe(200);
          expect(response.body.role).toBe('host');
        });
      });

      describe.each<[string, unknown]>([
        ['a list of non-strings only', [42, null, { host: true }, ['host'], true]],
        ['an object', { host: true }],
        ['a number', 1],
        ['true', true],
        ['null', null],
        ['an empty string', ''],
        ['a string naming host inside another word', 'hosts,co-host'],
      ])('with a roles claim that is %s', (_form, roles) => {
        it('responds 403 with ROLE_NOT_ALLOWED for role host', async () => {
          expectRoleNotAllowed(
            await postToken(rolesApp, await loginWith({ roles }), asking('host')),
          );
        });

        it('still responds 200 for the public role viewer', async () => {
          await postToken(rolesApp, await loginWith({ roles }), asking('viewer')).expect(200);
        });
      });

      describe('with a login whose roles claim names a role the server does not know', () => {
        it('responds 400 with VALIDATION_ERROR on role when the body asks for it', async () => {
          const login = await loginWith({ roles: ['superuser'] });
          const response = await postToken(rolesApp, login, asking('superuser')).expect(400);
          expect(response.body.error.code).toBe('VALIDATION_ERROR');
          expect(response.body.error.details).toEqual([
            { field: 'role', message: expect.any(String) },
          ]);
          expect(response.body.token).toBeUndefined();
        });

        it('responds 403 with ROLE_NOT_ALLOWED for role host', async () => {
          const login = await loginWith({ roles: ['superuser'] });
          expectRoleNotAllowed(await postToken(rolesApp, login, asking('host')));
        });
      });
    });

    describe('with AUTH_MODE=jwt and AUTH_ROLES_CLAIM=realm_access.roles', () => {
      let nestedApp: Express;

      beforeAll(() => {
        nestedApp = createApp(jwksConfig(jwks, { AUTH_ROLES_CLAIM: 'realm_access.roles' }), {
          jwksCooldownMs: 0,
        });
      });

      describe('with a login whose realm_access.roles lists host, as Keycloak writes it', () => {
        it('responds 200 with role host', async () => {
          const login = await loginWith({
            realm_access: { roles: ['offline_access', 'host'] },
          });
          const response = await postToken(nestedApp, login, asking('host')).expect(200);
          expect(response.body.role).toBe('host');
        });
      });

      describe.each<[string, Record<string, unknown>]>([
        ['host in a top-level roles claim only', { roles: ['host'] }],
        ['a realm_access claim without roles', { realm_access: { groups: ['host'] } }],
        ['a realm_access claim that is a list', { realm_access: ['host'] }],
      ])('with a login with %s', (_label, claims) => {
        it('responds 403 with ROLE_NOT_ALLOWED for role host', async () => {
          expectRoleNotAllowed(await postToken(nestedApp, await loginWith(claims), asking('host')));
        });
      });
    });

    describe('with AUTH_MODE=jwt and AUTH_ROLES_CLAIM naming a namespaced claim, as Auth0 requires', () => {
      // Auth0 reserves `roles` and refuses non-namespaced custom claims in access tokens for
      // an API, so its role claims are URLs, dots included.
      const claim = 'https://video.example.com/roles';
      let namespacedApp: Express;

      beforeAll(() => {
        namespacedApp = createApp(jwksConfig(jwks, { AUTH_ROLES_CLAIM: claim }), {
          jwksCooldownMs: 0,
        });
      });

      describe('with a login whose namespaced roles claim lists host', () => {
        it('responds 200 with role host', async () => {
          const login = await loginWith({ [claim]: ['host'] });
          const response = await postToken(namespacedApp, login, asking('host'));
          expect(response.status).toBe(200);
          expect(response.body.role).toBe('host');
        });
      });
    });

    describe('with AUTH_MODE=jwt and no AUTH_ROLES_CLAIM', () => {
      describe('with a login whose roles claim lists host', () => {
        it('responds 403 with ROLE_NOT_ALLOWED for role host: the claim is ignored', async () => {
          const login = await loginWith({ roles: ['host'] });
          expectRoleNotAllowed(await postToken(app, login, asking('host')));
        });

        it('responds 200 for the public role viewer', async () => {
          const login = await loginWith({ roles: ['host'] });
          await postToken(app, login, asking('viewer')).expect(200);
        });
      });
    });
  });

  describe('POST /connection-details', () => {
    describe('with AUTH_MODE=jwt and AUTH_ROLES_CLAIM=roles', () => {
      describe('with a login whose roles claim lists host', () => {
        it('responds 201 with role host and a token granting roomAdmin', async () => {
          const login = await loginWith({ roles: 'host' });
          const response = await postConnectionDetails(rolesApp, login, {
            ...asking('host'),
            room_name: 'physics-101',
          }).expect(201);
          expect(response.body).toMatchObject({
            server_url: LIVEKIT_URL,
            room_name: 'physics-101',
            participant_identity: ADA_CLAIMS.sub,
            role: 'host',
          });
          const claims = await verifier.verify(response.body.participant_token);
          expect(claims.video).toMatchObject({ room: 'physics-101', roomAdmin: true });
        });
      });

      describe('with a login without the roles claim', () => {
        it('responds 403 with ROLE_NOT_ALLOWED and no token for role host', async () => {
          const response = await postConnectionDetails(
            rolesApp,
            await callerJwt(rsaKey),
            asking('host'),
          );
          expectRoleNotAllowed(response);
        });

        it('responds 201 for the public role viewer', async () => {
          const response = await postConnectionDetails(
            rolesApp,
            await callerJwt(rsaKey),
            asking('viewer'),
          ).expect(201);
          expect(response.body.role).toBe('viewer');
        });
      });

      describe('with a login whose roles claim names only unknown roles', () => {
        it('responds 403 with ROLE_NOT_ALLOWED for role host', async () => {
          const login = await loginWith({ roles: ['superuser', 'admin'] });
          expectRoleNotAllowed(await postConnectionDetails(rolesApp, login, asking('host')));
        });
      });
    });

    describe('with AUTH_MODE=jwt', () => {
      describe('with a valid caller JWT and an empty body', () => {
        it("responds 201 with a token for the login's identity, named by its name claim", async () => {
          const response = await postConnectionDetails(rolesApp, await callerJwt(rsaKey)).expect(
            201,
          );
          expect(response.body).toMatchObject({
            participant_identity: ADA_CLAIMS.sub,
            participant_name: ADA_CLAIMS.name,
            role: 'participant',
          });
          const claims = await verifier.verify(response.body.participant_token);
          expect(claims).toMatchObject({ sub: ADA_CLAIMS.sub, name: ADA_CLAIMS.name });
        });
      });

      describe('with participant_identity equal to the identity of the login', () => {
        it('responds 201', async () => {
          const response = await postConnectionDetails(rolesApp, await callerJwt(rsaKey), {
            participant_identity: ADA_CLAIMS.sub,
          }).expect(201);
          expect(response.body.participant_identity).toBe(ADA_CLAIMS.sub);
        });
      });

      describe.each(['participant_identity', 'participantIdentity'])(
        'with %s different from the identity of the login',
        (field) => {
          it('responds 403 with IDENTITY_MISMATCH and no token', async () => {
            const response = await postConnectionDetails(rolesApp, await callerJwt(rsaKey), {
              [field]: 'user-babbage',
            }).expect(403);
            expect(response.body).toEqual({
              error: { code: 'IDENTITY_MISMATCH', message: expect.any(String) },
            });
          });
        },
      );

      describe('with participant_name in the body', () => {
        it("responds 201 with the body's name rather than the login's", async () => {
          const response = await postConnectionDetails(rolesApp, await callerJwt(rsaKey), {
            participant_name: 'Countess of Lovelace',
          }).expect(201);
          expect(response.body.participant_name).toBe('Countess of Lovelace');
          const claims = await verifier.verify(response.body.participant_token);
          expect(claims.name).toBe('Countess of Lovelace');
        });
      });

      describe('with a login without a name claim', () => {
        it('responds 201 without participant_name', async () => {
          const login = await callerJwt(rsaKey, { claims: { sub: ADA_CLAIMS.sub } });
          const response = await postConnectionDetails(rolesApp, login).expect(201);
          expect(response.body.participant_identity).toBe(ADA_CLAIMS.sub);
          expect(response.body).not.toHaveProperty('participant_name');
        });
      });

      describe('without Authorization', () => {
        it('responds 401 with AUTHENTICATION_REQUIRED', async () => {
          const response = await request(rolesApp).post('/connection-details').send({});
          expect(response.status).toBe(401);
          expect(response.body.error.code).toBe('AUTHENTICATION_REQUIRED');
        });
      });

      describe('with an expired caller JWT', () => {
        it('responds 401 with INVALID_CREDENTIALS', async () => {
          await expectInvalidCredentials(
            await postConnectionDetails(rolesApp, hostile['an expiry past the 30 s tolerance']),
          );
        });
      });
    });
  });
});
