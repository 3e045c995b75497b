import fc from 'fast-check';
import { TokenVerifier } from 'livekit-server-sdk';
import { TEST_API_KEY, TEST_API_SECRET } from '../support/fixtures';
import {
  anyBody,
  arbitraryTokenText,
  CALLER_SUB,
  carriesToken,
  expectWellFormedAnswer,
  headerText,
  hostileText,
  invalidTokenBodyReason,
  modeUnderTest,
  PROPERTY_TIMEOUT_MS,
  overTheWire,
  post,
  rawJsonBody,
  requestedUserId,
  RUNS,
  sendBody,
  startModeServers,
  stopModeServers,
  validName,
  validTokenBody,
  type AuthMode,
} from '../support/properties';

// Properties of the HTTP surface that must hold for any input, checked with fast-check.
// On failure fast-check prints the seed and the shrunk counterexample; rerun one with
// fc.assert(..., { seed, path }) to reproduce it.

const verifier = new TokenVerifier(TEST_API_KEY, TEST_API_SECRET);

jest.setTimeout(PROPERTY_TIMEOUT_MS);
beforeAll(startModeServers);
afterAll(stopModeServers);

describe.each<AuthMode>(['none', 'api-key', 'jwt'])('with AUTH_MODE=%s', (mode) => {
  const authorized = () => modeUnderTest(mode).credentials;

  describe('POST /token', () => {
    it('never answers 5xx or anything but JSON, and never mints for an invalid body', async () => {
      await fc.assert(
        fc.asyncProperty(anyBody(mode), async (body) => {
          const response = await sendBody(post(mode, '/token', authorized()), body);
          expectWellFormedAnswer(response);
          const seen = overTheWire(body);
          const reason = invalidTokenBodyReason(seen, mode);
          if (reason !== undefined) {
            expect(carriesToken(response)).toBe(false);
            expect(response.status).toBeGreaterThanOrEqual(400);
          }
          const userId = requestedUserId(seen);
          if (mode === 'jwt' && userId !== undefined && userId !== CALLER_SUB) {
            expect(carriesToken(response)).toBe(false);
          }
        }),
        { numRuns: RUNS },
      );
    });

    it('mints a token LiveKit accepts, with the given name and room, for any valid body', async () => {
      await fc.assert(
        fc.asyncProperty(validTokenBody(mode), async (body) => {
          const response = await post(mode, '/token', authorized()).send(body);
          expect({ status: response.status, body: response.body }).toMatchObject({ status: 200 });
          const claims = await verifier.verify(response.body.token);
          const identity = mode === 'jwt' ? CALLER_SUB : (body.user_id ?? body.user_email);
          expect(claims.sub).toBe(identity);
          expect(claims.name).toBe(body.full_name);
          if (body.room_name !== undefined) expect(claims.video?.room).toBe(body.room_name);
        }),
        { numRuns: 100 },
      );
    });

    it('answers raw bodies declared as JSON with JSON and no 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(rawJsonBody, async (raw) => {
          const response = await post(mode, '/token', authorized())
            .set('Content-Type', 'application/json')
            .send(raw);
          expectWellFormedAnswer(response);
          let parsed: unknown;
          try {
            // An empty body is read as {} (json-body.ts), which a login's token request can be,
            // and a UTF-8 byte order mark is skipped.
            parsed = raw === '' ? {} : JSON.parse(raw.replace(/^\ufeff/, ''));
          } catch {
            expect(carriesToken(response)).toBe(false);
            return;
          }
          if (invalidTokenBodyReason(parsed, mode) !== undefined) {
            expect(carriesToken(response)).toBe(false);
          }
        }),
        { numRuns: RUNS },
      );
    });
  });

  describe('POST /validate', () => {
    it('never answers valid: true for an arbitrary string as ?token=', async () => {
      await fc.assert(
        fc.asyncProperty(arbitraryTokenText, async (token) => {
          const response = await post(mode, '/validate', authorized()).query({ token });
          expectWellFormedAnswer(response);
          expect(response.body.valid).not.toBe(true);
          expect(response.status).not.toBe(200);
        }),
        { numRuns: RUNS },
      );
    });

    it('never answers valid: true for an arbitrary string in the JSON body', async () => {
      await fc.assert(
        fc.asyncProperty(arbitraryTokenText, async (token) => {
          const response = await post(mode, '/validate', authorized()).send({ token });
          expectWellFormedAnswer(response);
          expect(response.body.valid).not.toBe(true);
          expect(response.status).not.toBe(200);
        }),
        { numRuns: RUNS },
      );
    });

    it('answers any raw query string with JSON, no 5xx and never valid: true', async () => {
      const rawQuery = fc.string({
        unit: fc
          .integer({ min: 0x21, max: 0x7e })
          .filter((code) => code !== 0x23)
          .map((code) => String.fromCharCode(code)),
        maxLength: 120,
      });
      await fc.assert(
        fc.asyncProperty(rawQuery, async (query) => {
          const response = await post(mode, `/validate?${query}`, authorized());
          expectWellFormedAnswer(response);
          expect(response.body.valid).not.toBe(true);
        }),
        { numRuns: RUNS },
      );
    });

    it('answers any body with JSON, no 5xx and never valid: true', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(anyBody(mode), rawJsonBody), async (body) => {
          const test = post(mode, '/validate', authorized());
          const response = await (typeof body === 'string'
            ? test.set('Content-Type', 'application/json').send(body)
            : sendBody(test, body));
          expectWellFormedAnswer(response);
          expect(response.body.valid).not.toBe(true);
        }),
        { numRuns: RUNS },
      );
    });
  });

  describe('POST /connection-details', () => {
    it('never answers 5xx or anything but JSON, and mints only for an object body', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(connectionDetailsLikeBody(mode), anyBody(mode)), async (body) => {
          const response = await sendBody(post(mode, '/connection-details', authorized()), body);
          expectWellFormedAnswer(response);
          const seen = overTheWire(body);
          const isObject = typeof seen === 'object' && seen !== null && !Array.isArray(seen);
          if (!isObject) {
            expect(response.body.participant_token).toBeUndefined();
          }
          if (response.status === 201) {
            await verifier.verify(response.body.participant_token as string);
          }
        }),
        { numRuns: RUNS },
      );
    });

    it('mints a token LiveKit accepts, carrying what was asked, for any valid body', async () => {
      await fc.assert(
        fc.asyncProperty(validConnectionDetailsBody(mode), async (body) => {
          const response = await post(mode, '/connection-details', authorized()).send(body);
          expect({ status: response.status, body: response.body }).toMatchObject({ status: 201 });
          const claims = await verifier.verify(response.body.participant_token);
          const identity = mode === 'jwt' ? CALLER_SUB : body.participant_identity;
          if (identity !== undefined) expect(claims.sub).toBe(identity);
          expect(claims.name).toBe(body.participant_name);
          expect(claims.metadata).toBe(body.participant_metadata || undefined);
          expect(claims.attributes).toEqual(body.participant_attributes);
          if (body.room_name !== undefined) expect(claims.video?.room).toBe(body.room_name);
        }),
        { numRuns: 100 },
      );
    });
  });
});

/** Bodies that /connection-details certainly accepts. */
function validConnectionDetailsBody(mode: AuthMode) {
  return fc.record(
    {
      room_name: validName,
      participant_identity: mode === 'jwt' ? fc.constant(CALLER_SUB) : validName,
      participant_name: validName,
      participant_metadata: fc.string({ unit: 'grapheme', maxLength: 200 }),
      participant_attributes: fc.dictionary(
        // __proto__ is refused as an attribute key (see routes/connection-details.test.ts).
        validName.filter((key) => key !== '__proto__'),
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        { maxKeys: 5 },
      ),
    },
    { requiredKeys: [] },
  );
}

/** /connection-details bodies near the valid ones: fields of every field's name set to anything. */
function connectionDetailsLikeBody(mode: AuthMode): fc.Arbitrary<Record<string, unknown>> {
  const field = fc.constantFrom(
    'room_name',
    'roomName',
    'participant_identity',
    'participant_name',
    'participant_metadata',
    'participant_attributes',
    'room_config',
    'roomConfig',
    'role',
    'ttl_seconds',
  );
  const value = fc.oneof(
    hostileText,
    fc.jsonValue({ maxDepth: 3 }),
    fc.record({ agents: fc.array(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 }))) }),
    fc.constantFrom('viewer', 'host', 0, -1, 1e300, 86400, 86401),
  );
  return fc
    .tuple(validConnectionDetailsBody(mode), fc.array(fc.tuple(field, value), { maxLength: 3 }))
    .map(([valid, changes]) => {
      const body: Record<string, unknown> = { ...valid };
      for (const [name, to] of changes) body[name] = to;
      return body;
    });
}

describe.each<AuthMode>(['none', 'api-key', 'jwt'])(
  'with AUTH_MODE=%s and random headers',
  (mode) => {
    /** Headers a client may set, each to random visible text, a few to hostile values. */
    const randomHeaders = fc.dictionary(
      fc.constantFrom(
        'content-type',
        'content-encoding',
        'authorization',
        'x-api-key',
        'x-forwarded-for',
        'origin',
        'x-request-id',
        'accept',
        'accept-charset',
        'cookie',
        'access-control-request-method',
      ),
      fc.oneof(
        headerText,
        fc.constantFrom(
          'application/json; charset=utf-16',
          'application/json; charset=latin1',
          'gzip',
          'Bearer ',
          'Bearer a.b.c',
          '010.9.9.9, [::1]:80, 10.0.0.1:443',
          'http://localhost:5173',
          'null',
        ),
      ),
      { maxKeys: 6 },
    );

    it.each(['/token', '/validate', '/connection-details', '/bans', '/livekit/webhook'])(
      'POST %s never answers 5xx, anything but JSON, or not at all',
      async (path) => {
        await fc.assert(
          fc.asyncProperty(randomHeaders, rawJsonBody, async (headers, body) => {
            const response = await post(mode, path, headers)
              .timeout(10_000)
              .send(Buffer.from(body, 'utf8'));
            expectWellFormedAnswer(response);
          }),
          { numRuns: RUNS },
        );
      },
    );
  },
);

describe('X-Request-Id', () => {
  it('echoes a well-formed incoming id and replaces any other with a UUID', async () => {
    const requestId = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9._-]{1,128}$/),
      headerText,
      fc.constantFrom('', 'a'.repeat(129), 'a b', 'id;drop', '../etc'),
    );
    await fc.assert(
      fc.asyncProperty(requestId, async (incoming) => {
        const response = await post('none', '/validate', { 'X-Request-Id': incoming });
        // HTTP strips the spaces around a header value before anyone sees it.
        const received = incoming.replace(/^[ \t]+|[ \t]+$/g, '');
        if (/^[A-Za-z0-9._-]{1,128}$/.test(received)) {
          expect(response.headers['x-request-id']).toBe(received);
        } else {
          expect(response.headers['x-request-id']).toMatch(
            /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
          );
        }
      }),
      { numRuns: 100 },
    );
  });
});
