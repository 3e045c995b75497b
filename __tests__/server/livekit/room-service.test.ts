import { TokenSigner } from '../../../server/src/grants';
import type { LogFields, Logger } from '../../../server/src/logger';
import {
  createRoomService,
  LivekitUnavailableError,
  type RoomServiceOptions,
} from '../../../server/src/livekit/room-service';
import { startLivekitStandIn, type LivekitStandIn } from '../../support/livekit-stand-in';

const credentials = { apiKey: 'APIroomservice', apiSecret: 'room-service-secret-0123456789abcdef' };
// The real time: the stand-in checks the admin token's nbf and exp against its own clock.
const NOW_MS = Date.now();

/** A logger keeping each line with its level. */
function levelLogger(): Logger & {
  lines: Array<{ level: string; message: string; fields?: LogFields }>;
} {
  const lines: Array<{ level: string; message: string; fields?: LogFields }> = [];
  const at = (level: string) => (message: string, fields?: LogFields) => {
    lines.push({ level, message, fields });
  };
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), flush() {} };
}

let standIn: LivekitStandIn;
let logger: ReturnType<typeof levelLogger>;

beforeEach(async () => {
  standIn = await startLivekitStandIn(credentials);
  logger = levelLogger();
});
afterEach(() => standIn.close());

function service(overrides: Partial<RoomServiceOptions> = {}) {
  return createRoomService({
    livekitUrl: standIn.wsUrl,
    signer: new TokenSigner(credentials),
    logger,
    backoffMs: 10,
    ...overrides,
  });
}

async function rejection(promise: Promise<unknown>): Promise<LivekitUnavailableError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(LivekitUnavailableError);
  return error as LivekitUnavailableError;
}

describe('createRoomService', () => {
  describe('removeParticipant', () => {
    it('removes the participant over Twirp, from the ws:// URL made http://', async () => {
      standIn.rooms.set('lobby', [{ identity: 'ada' }, { identity: 'bob' }]);
      await service().removeParticipant('lobby', 'ada');
      expect(standIn.rooms.get('lobby')).toEqual([{ identity: 'bob' }]);
      expect(standIn.calls).toHaveLength(1);
      expect(standIn.calls[0]).toMatchObject({
        method: 'RemoveParticipant',
        path: '/twirp/livekit.RoomService/RemoveParticipant',
        contentType: 'application/json',
        status: 200,
      });
    });

    it('sends the room, the identity and revokeTokenTs (now, in seconds) as the SDK names them', async () => {
      standIn.rooms.set('lobby', [{ identity: 'ada' }]);
      await service({ nowMs: () => NOW_MS }).removeParticipant('lobby', 'ada');
      expect(standIn.calls[0]?.body).toEqual({
        room: 'lobby',
        identity: 'ada',
        revokeTokenTs: String(Math.floor(NOW_MS / 1000)),
      });
    });

    it('signs with a room-admin grant of exactly that room, valid one minute, as token-server', async () => {
      standIn.rooms.set('room-a', [{ identity: 'ada' }]);
      await service().removeParticipant('room-a', 'ada');
      const claims = standIn.calls[0]?.claims;
      expect(claims).toMatchObject({ iss: credentials.apiKey, sub: 'token-server' });
      expect(claims?.video).toEqual({ roomAdmin: true, room: 'room-a' });
      expect(Number(claims?.exp) - Number(claims?.nbf)).toBe(60);
    });

    it('resolves when the participant is not in the room (Twirp not_found)', async () => {
      standIn.rooms.set('lobby', [{ identity: 'bob' }]);
      await expect(service().removeParticipant('lobby', 'ada')).resolves.toBeUndefined();
      await expect(service().removeParticipant('no-such-room', 'ada')).resolves.toBeUndefined();
      expect(standIn.calls.map((call) => call.status)).toEqual([404, 404]);
    });

    it('rejects a 404 that is not Twirp not_found (a wrong path: bad_route), without retrying', async () => {
      const error = await rejection(
        service({ livekitUrl: `${standIn.url}/wrong` }).removeParticipant('lobby', 'ada'),
      );
      expect(error.status).toBe(404);
      expect(error.reason).toBe('RemoveParticipant answered 404 bad_route');
      expect(standIn.calls).toHaveLength(1);
    });

    it('rejects, once and without retrying, when LiveKit refuses our key (401 unauthenticated)', async () => {
      const stranger = new TokenSigner({
        apiKey: credentials.apiKey,
        apiSecret: 'another-secret-0123456789abcdefgh',
      });
      const error = await rejection(
        service({ signer: stranger }).removeParticipant('lobby', 'ada'),
      );
      expect(error.status).toBe(401);
      expect(error.reason).toBe('RemoveParticipant answered 401 unauthenticated');
      expect(standIn.calls).toHaveLength(1);
    });
  });

  describe('listParticipants', () => {
    it('signs with a room-admin grant of exactly that room', async () => {
      standIn.rooms.set('room-b', []);
      await service().listParticipants('room-b');
      expect(standIn.calls[0]).toMatchObject({
        method: 'ListParticipants',
        body: { room: 'room-b' },
      });
      expect(standIn.calls[0]?.claims?.video).toEqual({ roomAdmin: true, room: 'room-b' });
    });

    it("maps each participant, counting seats by LiveKit's max_participants rule", async () => {
      standIn.rooms.set('lobby', [
        { identity: 'ada', joinedAt: 1_700_000_000, joinedAtMs: 1_700_000_000_123 },
        { identity: 'old-server', joinedAt: 1_700_000_001 },
        { identity: 'not-joined' },
        { identity: 'agent', kind: 4 },
        { identity: 'agent-grant', permission: { agent: true } },
        { identity: 'egress', kind: 2 },
        { identity: 'recorder', permission: { recorder: true } },
        { identity: 'hidden', permission: { hidden: true } },
        { identity: 'ingress', kind: 1 },
        { identity: 'sip', kind: 3 },
      ]);
      expect(await service().listParticipants('lobby')).toEqual([
        { identity: 'ada', takesSeat: true, joinedAtMs: 1_700_000_000_123 },
        { identity: 'old-server', takesSeat: true, joinedAtMs: 1_700_000_001_000 },
        { identity: 'not-joined', takesSeat: true, joinedAtMs: null },
        { identity: 'agent', takesSeat: false, joinedAtMs: null },
        { identity: 'agent-grant', takesSeat: false, joinedAtMs: null },
        { identity: 'egress', takesSeat: false, joinedAtMs: null },
        { identity: 'recorder', takesSeat: false, joinedAtMs: null },
        // LiveKit counts these towards max_participants (pkg/rtc/room.go), so do we.
        { identity: 'hidden', takesSeat: true, joinedAtMs: null },
        { identity: 'ingress', takesSeat: true, joinedAtMs: null },
        { identity: 'sip', takesSeat: true, joinedAtMs: null },
      ]);
    });

    it('answers no participants for a room LiveKit does not know (not_found)', async () => {
      expect(await service().listParticipants('empty')).toEqual([]);
      expect(standIn.calls[0]?.status).toBe(404);
    });

    it('rejects an answer of the wrong shape whole, rather than drop a participant', async () => {
      const answering = (body: unknown): typeof fetch =>
        (() =>
          Promise.resolve(new Response(JSON.stringify(body), { status: 200 }))) as typeof fetch;
      for (const body of [
        { participants: [{ identity: 'ada' }, { kind: 'AGENT' }] },
        { participants: 'ada' },
        [],
        { participants: [{ identity: 'ada', joined_at_ms: 'soon' }] },
      ]) {
        const error = await rejection(
          service({ fetch: answering(body) }).listParticipants('lobby'),
        );
        expect(error.reason).toMatch(/^ListParticipants answered JSON of the wrong shape/);
      }
    });

    it('reads camelCase names and enum names too, as protojson does', async () => {
      const fetchCamel = (() =>
        Promise.resolve(
          new Response(
            JSON.stringify({
              participants: [
                { identity: 'a', kind: 'AGENT', joinedAtMs: '5000' },
                { identity: 'b', kind: 'STANDARD', joinedAt: 7 },
                { identity: 'c', kind: 'EGRESS' },
              ],
            }),
          ),
        )) as typeof fetch;
      expect(await service({ fetch: fetchCamel }).listParticipants('lobby')).toEqual([
        { identity: 'a', takesSeat: false, joinedAtMs: 5000 },
        { identity: 'b', takesSeat: true, joinedAtMs: 7000 },
        { identity: 'c', takesSeat: false, joinedAtMs: null },
      ]);
    });
  });

  describe('when LiveKit fails', () => {
    it('retries a 5xx at most `retries` times, then rejects with its status', async () => {
      standIn.mode = { kind: 'fail', status: 503 };
      const error = await rejection(service({ retries: 2 }).listParticipants('lobby'));
      expect(error.status).toBe(503);
      expect(error.reason).toBe('ListParticipants answered 503 unavailable');
      expect(standIn.calls).toHaveLength(3);
    });

    it('makes one attempt when told not to retry', async () => {
      standIn.mode = { kind: 'fail', status: 500 };
      await rejection(service({ retries: 0 }).removeParticipant('lobby', 'ada'));
      expect(standIn.calls).toHaveLength(1);
    });

    it('succeeds when a retry does', async () => {
      standIn.mode = { kind: 'fail', status: 502 };
      standIn.rooms.set('lobby', [{ identity: 'ada' }]);
      const fetchThenHeal: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        standIn.mode = { kind: 'serve' };
        return response;
      };
      await service({ fetch: fetchThenHeal }).removeParticipant('lobby', 'ada');
      expect(standIn.calls.map((call) => call.status)).toEqual([502, 200]);
      expect(logger.lines).toEqual([]);
    });

    it('bounds a hanging LiveKit: each attempt times out, and there are only so many', async () => {
      standIn.mode = { kind: 'hang' };
      const timeoutMs = 150;
      const started = performance.now();
      const error = await rejection(service({ timeoutMs, retries: 1 }).listParticipants('lobby'));
      const elapsedMs = performance.now() - started;
      expect(error.status).toBeUndefined();
      expect(error.reason).toBe('ListParticipants: no answer within 150 ms');
      expect(standIn.calls).toHaveLength(2);
      // Timers never fire early; the upper bound leaves a loaded machine a whole second.
      expect(elapsedMs).toBeGreaterThanOrEqual(2 * timeoutMs);
      expect(elapsedMs).toBeLessThan(2 * timeoutMs + 10 + 1000);
    });

    it('rejects when LiveKit has gone away (connection refused)', async () => {
      const url = standIn.wsUrl;
      await standIn.close();
      const error = await rejection(service({ livekitUrl: url }).listParticipants('lobby'));
      expect(error.reason).toBe('ListParticipants: network error (ECONNREFUSED)');
    });
  });

  describe('logs', () => {
    it('one warning per outage, however many calls fail, and one info line when LiveKit answers again', async () => {
      const rooms = service({ retries: 1 });
      standIn.rooms.set('lobby', []);
      standIn.mode = { kind: 'fail', status: 503 };
      for (let call = 0; call < 3; call += 1) await rejection(rooms.listParticipants('lobby'));
      await Promise.all([
        rejection(rooms.listParticipants('lobby')),
        rejection(rooms.removeParticipant('lobby', 'ada')),
      ]);
      expect(logger.lines).toEqual([
        {
          level: 'warn',
          message: 'LiveKit does not answer: moderation calls to it fail until it does',
          fields: {
            event: 'livekit_unavailable',
            method: 'ListParticipants',
            reason: 'ListParticipants answered 503 unavailable',
          },
        },
      ]);

      standIn.mode = { kind: 'serve' };
      await rooms.listParticipants('lobby');
      await rooms.listParticipants('lobby');
      expect(logger.lines.slice(1)).toEqual([
        {
          level: 'info',
          message: 'LiveKit answers again',
          fields: { event: 'livekit_available', method: 'ListParticipants' },
        },
      ]);

      // A new outage is said again, once.
      standIn.mode = { kind: 'fail', status: 500 };
      await rejection(rooms.removeParticipant('lobby', 'ada'));
      await rejection(rooms.listParticipants('lobby'));
      expect(logger.lines.map((line) => [line.level, line.fields?.reason])).toEqual([
        ['warn', 'ListParticipants answered 503 unavailable'],
        ['info', undefined],
        ['warn', 'RemoveParticipant answered 500 unavailable'],
      ]);
    });

    it('never logs the admin token, the Authorization header or the secret', async () => {
      const rooms = service({ retries: 0 });
      standIn.mode = { kind: 'fail', status: 503 };
      const errors = [await rejection(rooms.listParticipants('lobby'))];
      standIn.mode = { kind: 'serve' };
      standIn.rooms.set('lobby', []);
      await rooms.listParticipants('lobby');
      errors.push(
        await rejection(
          service({
            signer: new TokenSigner({ apiKey: 'other', apiSecret: 'x'.repeat(32) }),
          }).listParticipants('lobby'),
        ),
      );
      const written = JSON.stringify([
        logger.lines,
        errors.map((error) => [error.message, error.reason]),
      ]);
      expect(logger.lines.length).toBeGreaterThan(0);
      expect(written).not.toContain(credentials.apiSecret);
      expect(written).not.toContain('Bearer');
      expect(written).not.toMatch(/eyJ/); // the start of every JWT's header
    });
  });
});
