import request from 'supertest';
import { TEST_API_KEY, TEST_API_SECRET } from '../../support/fixtures';
import { startLivekitStandIn, type LivekitStandIn } from '../../support/livekit-stand-in';
import { signedWebhook } from '../../support/livekit-webhooks';
import { closeModerationApps, moderationApp, MODERATOR_KEY } from '../../support/moderation';

const credentials = { apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET };
let livekit: LivekitStandIn;

beforeEach(async () => {
  livekit = await startLivekitStandIn(credentials);
});

afterEach(async () => {
  await closeModerationApps();
  await livekit.close();
});

function joined(id: string, identity: string, room = 'lab') {
  return {
    id,
    event: 'participant_joined',
    createdAt: String(Math.floor(Date.now() / 1000)),
    room: { name: room },
    participant: { identity, sid: `PA_${identity}` },
  };
}

async function deliver(
  app: Parameters<typeof request>[0],
  event: Record<string, unknown>,
  status = 200,
): Promise<request.Response> {
  const { body, headers } = await signedWebhook(event, credentials);
  return request(app).post('/livekit/webhook').set(headers).send(body).expect(status);
}

/** Waits until the stand-in has had `count` RemoveParticipant calls (kicks run in the background). */
async function removals(count: number): Promise<LivekitStandIn['calls']> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const calls = livekit.calls.filter((call) => call.method === 'RemoveParticipant');
    if (calls.length >= count || Date.now() > deadline) return calls;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('POST /livekit/webhook', () => {
  describe('a participant_joined of a banned identity, signed as LiveKit signs', () => {
    it('removes it from the room again, with an admin token for exactly that room', async () => {
      const app = moderationApp({ LIVEKIT_URL: livekit.wsUrl });
      await request(app)
        .post('/bans')
        .set('X-API-Key', MODERATOR_KEY)
        .send({ identity: 'mallory', room: 'lab' })
        .expect(201);
      // The ban's own removal, at once.
      expect(await removals(1)).toHaveLength(1);
      // Back with a token LiveKit refreshed: in the room again, and LiveKit tells of it.
      livekit.rooms.set('lab', [{ identity: 'mallory' }]);
      const answer = await deliver(app, joined('EV_1', 'mallory'));
      expect(answer.body).toEqual({ outcome: 'applied' });
      const calls = await removals(2);
      expect(calls).toHaveLength(2);
      expect(calls[1]).toMatchObject({
        body: expect.objectContaining({ room: 'lab', identity: 'mallory' }),
        claims: expect.objectContaining({
          video: expect.objectContaining({ roomAdmin: true, room: 'lab' }),
        }),
        status: 200,
      });
    });
  });

  describe('a participant_joined of someone not banned', () => {
    it('counts them in the room, and removes nobody', async () => {
      const app = moderationApp({ LIVEKIT_URL: livekit.wsUrl });
      expect((await deliver(app, joined('EV_2', 'ada'))).body).toEqual({ outcome: 'applied' });
      const room = await request(app).get('/rooms/lab').set('X-API-Key', MODERATOR_KEY).expect(200);
      expect(room.body).toMatchObject({ participants: ['ada'], seats_used: 1 });
      expect(livekit.calls.filter((call) => call.method === 'RemoveParticipant')).toEqual([]);
    });
  });

  describe('the same event delivered twice (LiveKit retries)', () => {
    it('applies it once', async () => {
      const app = moderationApp();
      expect((await deliver(app, joined('EV_3', 'ada'))).body).toEqual({ outcome: 'applied' });
      expect((await deliver(app, joined('EV_3', 'ada'))).body).toEqual({ outcome: 'duplicate' });
      const audit = await request(app)
        .get('/rooms/lab/audit')
        .set('X-API-Key', MODERATOR_KEY)
        .expect(200);
      expect(audit.body.entries.map((entry: { event: string }) => entry.event)).toEqual([
        'participant_joined',
      ]);
    });
  });

  describe('a webhook not signed as LiveKit signs', () => {
    it.each([
      [
        'no Authorization',
        (headers: Record<string, string>) => ({ ...headers, Authorization: '' }),
      ],
      ['another secret', undefined],
      ['an altered body', undefined],
      [
        'application/json',
        (headers: Record<string, string>) => ({ ...headers, 'Content-Type': 'application/json' }),
      ],
    ])('answers 401 INVALID_WEBHOOK for %s, and changes nothing', async (label, alter) => {
      const app = moderationApp();
      const signed =
        label === 'another secret'
          ? await signedWebhook(joined('EV_4', 'ada'), {
              apiKey: TEST_API_KEY,
              apiSecret: 'another-secret-that-is-long-enough-1234567',
            })
          : await signedWebhook(joined('EV_4', 'ada'), credentials);
      const body = label === 'an altered body' ? signed.body.replace('ada', 'eve') : signed.body;
      const headers = alter === undefined ? signed.headers : alter(signed.headers);
      const refused = await request(app)
        .post('/livekit/webhook')
        .set(headers)
        .send(body)
        .expect(401);
      expect(refused.body.error.code).toBe('INVALID_WEBHOOK');
      expect(JSON.stringify(refused.body)).not.toContain('ada');
      const room = await request(app).get('/rooms/lab').set('X-API-Key', MODERATOR_KEY).expect(200);
      expect(room.body.participants).toEqual([]);
      // The real one still applies: the forgery did not use up its id.
      expect((await deliver(app, joined('EV_4', 'ada'))).body).toEqual({ outcome: 'applied' });
    });
  });
});

describe('a room full by what the server last heard, heard of long ago', () => {
  it('asks LiveKit who is there before refusing, and admits when a seat is free', async () => {
    let clock = Date.now();
    // A wait no loaded machine runs out of: what is tested is that LiveKit is asked.
    const app = moderationApp(
      { LIVEKIT_URL: livekit.wsUrl },
      { now: () => clock, reconcileWaitMs: 10_000 },
    );
    await request(app)
      .put('/rooms/lab')
      .set('X-API-Key', MODERATOR_KEY)
      .send({ max_participants: 1 })
      .expect(200);
    await deliver(app, joined('EV_5', 'ada'));
    // ada left, but that webhook never came; a minute later LiveKit lists nobody.
    clock += 60_000;
    livekit.rooms.set('lab', []);
    const token = await request(app)
      .post('/token')
      .set('X-API-Key', MODERATOR_KEY)
      .send({ user_id: 'grace', full_name: 'Grace', room_name: 'lab' })
      .expect(200);
    expect(token.body.identity).toBe('grace');
    expect(livekit.calls.map((call) => call.method)).toContain('ListParticipants');
  });

  it('refuses at once on what it knows when LiveKit does not answer', async () => {
    let clock = Date.now();
    const app = moderationApp({ LIVEKIT_URL: livekit.wsUrl }, { now: () => clock });
    await request(app)
      .put('/rooms/lab')
      .set('X-API-Key', MODERATOR_KEY)
      .send({ max_participants: 1 })
      .expect(200);
    await deliver(app, joined('EV_6', 'ada'));
    clock += 60_000;
    livekit.mode = { kind: 'hang' };
    const refused = await request(app)
      .post('/token')
      .set('X-API-Key', MODERATOR_KEY)
      .send({ user_id: 'grace', full_name: 'Grace', room_name: 'lab' })
      .expect(409);
    expect(refused.body.error.code).toBe('ROOM_FULL');
  });
});
