// Properties of the moderation routes for any input, checked with fast-check against one
// loopback server per AUTH_MODE (support/properties.ts): no 5xx, JSON, no hang; and for
// PUT /rooms/{room}, a model of the cap: a valid room and body set it, anything else
// leaves it as it was. On failure fast-check prints the seed and the shrunk counterexample.
import fc from 'fast-check';
import request from 'supertest';
import {
  expectWellFormedAnswer,
  headerText,
  hostileText,
  isIdentifierText,
  modeUnderTest,
  PROPERTY_TIMEOUT_MS,
  RUNS,
  startModeServers,
  stopModeServers,
  type AuthMode,
} from '../../support/properties';

jest.setTimeout(PROPERTY_TIMEOUT_MS);
beforeAll(startModeServers);
afterAll(stopModeServers);

/** The largest cap a room may have (MAX_ROOM_CAP), written out: the model's own number. */
const LARGEST_CAP = 100_000;

/** Room names as a path segment may carry them: valid ones, hostile text, odd segments. */
const roomName = fc
  .oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
    hostileText,
    fc.constantFrom('a/b', '%', '?x', '#', 'room name', '\u00e9t\u00e9'),
  )
  .filter((room) => room !== '' && room !== '.' && room !== '..' && encodes(room));

/** Whether a string survives encodeURIComponent (a lone surrogate does not). */
function encodes(text: string): boolean {
  try {
    encodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

/** Bodies of PUT /rooms/{room}: valid caps, edge values, other shapes, extra fields. */
const roomLimitBody = fc.oneof(
  fc.record({ max_participants: fc.integer({ min: 1, max: LARGEST_CAP }) }),
  fc.record({
    max_participants: fc.oneof(
      fc.constantFrom(null, 0, -1, 1.5, LARGEST_CAP + 1, 1e300, '5', true, [], {}),
      fc.integer(),
    ),
  }),
  fc.record({ max_participants: fc.integer({ min: 1, max: 9 }), extra: fc.jsonValue() }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** The cap a body sets, or undefined when the server must refuse it. */
function capSetBy(body: unknown): number | null | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const fields = Object.keys(body);
  if (fields.length !== 1 || fields[0] !== 'max_participants') return undefined;
  const cap = (body as { max_participants: unknown }).max_participants;
  if (cap === null) return null;
  return Number.isInteger(cap) && (cap as number) >= 1 && (cap as number) <= LARGEST_CAP
    ? (cap as number)
    : undefined;
}

const path = (room: string) => `/rooms/${encodeURIComponent(room)}`;

describe('PUT /rooms/{room} by an API-key caller (AUTH_MODE=api-key)', () => {
  const server = () => modeUnderTest('api-key').server;
  const credentials = () => modeUnderTest('api-key').credentials;

  it('sets the cap exactly when the room and the body are valid, and else changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(roomName, roomLimitBody, async (room, body) => {
        const validRoom = isIdentifierText(room);
        const before = await request(server()).get(path(room)).set(credentials());
        expectWellFormedAnswer(before);
        expect(before.status).toBe(validRoom ? 200 : 400);
        const response = await request(server())
          .put(path(room))
          .set(credentials())
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(body));
        expectWellFormedAnswer(response);
        const cap = capSetBy(body);
        if (validRoom && cap !== undefined) {
          expect(response.status).toBe(200);
          expect(response.body.max_participants).toBe(cap);
        } else {
          expect(response.status).toBe(400);
          expect(response.body.error.code).toMatch(/^(VALIDATION_ERROR|MALFORMED_JSON)$/);
        }
        if (!validRoom) return;
        const after = await request(server()).get(path(room)).set(credentials()).expect(200);
        expect(after.body.max_participants).toBe(
          cap === undefined ? before.body.max_participants : cap,
        );
      }),
      { numRuns: RUNS },
    );
  });
});

describe.each<AuthMode>(['none', 'api-key', 'jwt'])('with AUTH_MODE=%s', (mode) => {
  const server = () => modeUnderTest(mode).server;
  const credentials = () => modeUnderTest(mode).credentials;
  /** Query strings of visible text, as a client may send them. */
  const rawQuery = fc.string({
    unit: fc
      .integer({ min: 0x21, max: 0x7e })
      .filter((code) => code !== 0x23)
      .map((code) => String.fromCharCode(code)),
    maxLength: 80,
  });

  it('never sets a cap for a caller who moderates nothing', async () => {
    await fc.assert(
      fc.asyncProperty(roomName, roomLimitBody, async (room, body) => {
        const response = await request(server())
          .put(path(room))
          .set(credentials())
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(body));
        expectWellFormedAnswer(response);
        // api-key callers moderate every room; the anonymous and the login without a role do not.
        if (mode !== 'api-key') expect(response.status).not.toBe(200);
      }),
      { numRuns: RUNS },
    );
  });

  it.each(['/bans', '/rooms/lab/audit', '/rooms/lab', '/invites', '/rooms/lab/lobby'])(
    'GET %s answers any query with JSON, no 5xx',
    async (route) => {
      await fc.assert(
        fc.asyncProperty(rawQuery, async (query) => {
          const response = await request(server()).get(`${route}?${query}`).set(credentials());
          expectWellFormedAnswer(response);
          if (mode !== 'api-key') expect(response.status).not.toBe(200);
        }),
        { numRuns: RUNS },
      );
    },
  );

  it('POST /invites answers any body with JSON and no 5xx, and makes invites for moderators only', async () => {
    const inviteBody = fc.oneof(
      fc.record(
        {
          room: roomName,
          role: fc.constantFrom('participant', 'viewer', 'host', 'nobody', 7),
          max_uses: fc.oneof(fc.integer({ min: -2, max: 10_002 }), fc.constant('5')),
          expires_in_seconds: fc.oneof(fc.integer({ min: 0, max: 2_592_001 }), fc.constant(null)),
          identity: fc.oneof(roomName, fc.constant('')),
          name: hostileText,
          waiting_room: fc.oneof(fc.boolean(), fc.constant('yes')),
        },
        { requiredKeys: ['room'] },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    );
    await fc.assert(
      fc.asyncProperty(inviteBody, async (body) => {
        const response = await request(server())
          .post('/invites')
          .set(credentials())
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(body));
        expectWellFormedAnswer(response);
        if (mode !== 'api-key') expect(response.status).not.toBe(201);
        if (response.status === 201) {
          expect(response.body.code).toMatch(/^[a-hjkmnp-z]{4}(-[a-hjkmnp-z]{4}){3}$/);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('redeems no made-up code, in any header or body, and never answers 5xx', async () => {
    const code = fc.oneof(headerText, fc.stringMatching(/^[a-z]{4}-[a-z]{4}-[a-z]{4}-[a-z]{4}$/));
    await fc.assert(
      fc.asyncProperty(
        code,
        fc.constantFrom('/token', '/connection-details'),
        fc.boolean(),
        async (guess, route, inBody) => {
          const test = request(server()).post(route).set('Content-Type', 'application/json');
          const response = await (inBody && route === '/token'
            ? test.send(JSON.stringify({ invite_code: guess }))
            : test.set('X-Invite-Code', guess).send('{}'));
          expectWellFormedAnswer(response);
          expect([200, 201, 202]).not.toContain(response.status);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('GET /lobby/{id} answers any id and poll token with JSON, no 5xx, and never 200', async () => {
    const id = fc.oneof(roomName, fc.uuid());
    await fc.assert(
      fc.asyncProperty(id, headerText, async (lobbyId, token) => {
        const response = await request(server())
          .get(`/lobby/${encodeURIComponent(lobbyId)}`)
          .set('Authorization', `Bearer ${token}`);
        expectWellFormedAnswer(response);
        expect(response.status).not.toBe(200);
      }),
      { numRuns: RUNS },
    );
  });

  it('DELETE /bans/{id} answers any id with JSON, no 5xx, and lifts nothing unknown', async () => {
    const id = fc.oneof(
      roomName,
      fc.uuid(),
      headerText.filter((text) => text !== ''),
    );
    await fc.assert(
      fc.asyncProperty(id, async (banId) => {
        const response = await request(server())
          .delete(`/bans/${encodeURIComponent(banId)}`)
          .set(credentials());
        expectWellFormedAnswer(response);
        expect(response.status).not.toBe(204);
      }),
      { numRuns: RUNS },
    );
  });
});
