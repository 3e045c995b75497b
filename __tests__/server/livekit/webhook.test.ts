import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { WebhookReceiver } from 'livekit-server-sdk';
import {
  verifyWebhook,
  WebhookRejectedError,
  type WebhookEvent,
  type WebhookRequest,
} from '../../../server/src/livekit/webhook';
import {
  bodySha256,
  signedWebhook,
  webhookToken,
  type SignedWebhook,
} from '../../support/livekit-webhooks';

const current = { apiKey: 'APIcurrent', apiSecret: 'current-secret-0123456789abcdefghij' };
const previous = { apiKey: 'APIprevious', apiSecret: 'previous-secret-0123456789abcdefgh' };
const stranger = { apiKey: 'APIstranger', apiSecret: 'stranger-secret-0123456789abcdefgh' };
const keys: ReadonlyMap<string, string> = new Map([
  [current.apiKey, current.apiSecret],
  [previous.apiKey, previous.apiSecret],
]);

const CREATED_AT = 1_700_000_000;
const joined = {
  id: 'EV_joined1',
  event: 'participant_joined',
  createdAt: CREATED_AT,
  room: { sid: 'RM_1', name: 'lobby' },
  participant: {
    sid: 'PA_1',
    identity: 'ada',
    joinedAt: CREATED_AT - 1,
    joinedAtMs: (CREATED_AT - 1) * 1000 + 250,
  },
};

/** What a route hands the verifier for a webhook received now. */
function requestOf(
  webhook: SignedWebhook,
  overrides: Partial<WebhookRequest> = {},
): WebhookRequest {
  return {
    rawBody: Buffer.from(webhook.body, 'utf8'),
    authorization: webhook.headers.Authorization,
    contentType: webhook.headers['Content-Type'],
    keys,
    nowMs: Date.now(),
    ...overrides,
  };
}

/** The reason verifyWebhook gives, after checking it holds neither the body nor the token. */
function reasonOf(request: WebhookRequest): string {
  let thrown: unknown;
  try {
    verifyWebhook(request);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(WebhookRejectedError);
  const { reason, message } = thrown as WebhookRejectedError;
  const token = (request.authorization ?? '').replace(/^Bearer /, '');
  for (const text of [reason, message]) {
    if (token.length > 0) expect(text).not.toContain(token);
    for (const part of token.split('.').filter((piece) => piece.length > 8)) {
      expect(text).not.toContain(part);
    }
    if (request.rawBody.length > 8) expect(text).not.toContain(request.rawBody.toString('utf8'));
    expect(text).not.toContain('ada');
  }
  return reason;
}

/** The event the SDK's own receiver reads, to check we accept only what it accepts. */
async function sdkReceives(webhook: SignedWebhook, credentials = current) {
  return new WebhookReceiver(credentials.apiKey, credentials.apiSecret).receive(
    webhook.body,
    webhook.headers.Authorization,
  );
}

/** An unsigned-or-otherwise-signed JWT built by hand. */
function handmadeToken(header: object, payload: object, signature = ''): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(payload)}.${signature}`;
}

describe('verifyWebhook', () => {
  describe('a webhook signed as LiveKit signs it', () => {
    it('is accepted and read into the event, as the SDK reads it', async () => {
      const webhook = await signedWebhook(joined, current);
      const expected: WebhookEvent = {
        id: 'EV_joined1',
        event: 'participant_joined',
        createdAtMs: CREATED_AT * 1000,
        room: { name: 'lobby' },
        participant: {
          identity: 'ada',
          takesSeat: true,
          joinedAtMs: (CREATED_AT - 1) * 1000 + 250,
        },
      };
      expect(verifyWebhook(requestOf(webhook))).toEqual(expected);
      const sdk = await sdkReceives(webhook);
      expect([sdk.id, sdk.event, sdk.room?.name, sdk.participant?.identity]).toEqual([
        'EV_joined1',
        'participant_joined',
        'lobby',
        'ada',
      ]);
    });

    it('writes int64 as strings and leaves defaults out, as protojson does', async () => {
      const webhook = await signedWebhook(joined, current);
      expect(webhook.headers.Authorization).not.toMatch(/^Bearer /);
      expect(JSON.parse(webhook.body)).toMatchObject({ createdAt: String(CREATED_AT) });
      expect(JSON.parse(webhook.body).participant).not.toHaveProperty('kind');
    });

    it('is accepted with "Bearer " before the token too', async () => {
      const webhook = await signedWebhook(joined, current);
      const request = requestOf(webhook, {
        authorization: `Bearer ${webhook.headers.Authorization}`,
      });
      expect(verifyWebhook(request).id).toBe('EV_joined1');
    });

    it('is accepted with parameters on its media type', async () => {
      const webhook = await signedWebhook(joined, current);
      for (const contentType of [
        'application/webhook+json; charset=utf-8',
        'Application/Webhook+JSON',
      ]) {
        expect(verifyWebhook(requestOf(webhook, { contentType })).id).toBe('EV_joined1');
      }
    });

    it('is accepted when signed by another accepted key (rotation)', async () => {
      const webhook = await signedWebhook(joined, previous);
      expect(verifyWebhook(requestOf(webhook)).event).toBe('participant_joined');
      expect((await sdkReceives(webhook, previous)).event).toBe('participant_joined');
    });

    it('reads agents and recorders as taking no seat, and joinedAt seconds when alone', async () => {
      const cases: Array<[object, { takesSeat: boolean; joinedAtMs: number | null }]> = [
        [
          { identity: 'ada', kind: 'AGENT' },
          { takesSeat: false, joinedAtMs: null },
        ],
        [
          { identity: 'ada', kind: 'EGRESS', joinedAt: '12' },
          { takesSeat: false, joinedAtMs: 12_000 },
        ],
        [
          { identity: 'ada', permission: { recorder: true } },
          { takesSeat: false, joinedAtMs: null },
        ],
        [
          { identity: 'ada', permission: { hidden: true } },
          { takesSeat: true, joinedAtMs: null },
        ],
        [
          { identity: 'ada', kind: 'SIP' },
          { takesSeat: true, joinedAtMs: null },
        ],
      ];
      for (const [participant, expected] of cases) {
        const webhook = await signedWebhook({ ...joined, participant }, current);
        expect(verifyWebhook(requestOf(webhook)).participant).toEqual({
          identity: 'ada',
          ...expected,
        });
        await sdkReceives(webhook);
      }
    });

    it('keeps events it does not know, and leaves out what they do not name', async () => {
      const webhook = await signedWebhook(
        {
          id: 'EV_egress',
          event: 'egress_started',
          createdAt: CREATED_AT,
          egressInfo: { egressId: 'EG_1' },
        },
        current,
      );
      expect(verifyWebhook(requestOf(webhook))).toEqual({
        id: 'EV_egress',
        event: 'egress_started',
        createdAtMs: CREATED_AT * 1000,
      });
      await sdkReceives(webhook);
    });

    it('is accepted within a minute of its expiry, the clock skew LiveKit allows', async () => {
      const webhook = await signedWebhook(joined, current);
      const nowMs = Date.now() + (5 * 60 + 50) * 1000;
      expect(verifyWebhook(requestOf(webhook, { nowMs })).id).toBe('EV_joined1');
    });
  });

  describe('rejects', () => {
    let webhook: SignedWebhook;
    beforeAll(async () => {
      webhook = await signedWebhook(joined, current);
    });

    it('a webhook without an Authorization header', () => {
      expect(reasonOf(requestOf(webhook, { authorization: undefined }))).toBe('no Authorization');
      expect(reasonOf(requestOf(webhook, { authorization: '  ' }))).toBe('no Authorization');
    });

    it('a header that holds no JWT', () => {
      for (const authorization of ['garbage', 'Bearer', 'Bearer ', 'a.b.c', 'Bearer not-a-jwt']) {
        expect([authorization, reasonOf(requestOf(webhook, { authorization }))]).toEqual([
          authorization,
          'not a JWT',
        ]);
      }
    });

    it('a token signed with another secret for an accepted key', async () => {
      const forged = await webhookToken(bodySha256(webhook.body), {
        apiKey: current.apiKey,
        apiSecret: stranger.apiSecret,
      });
      expect(reasonOf(requestOf(webhook, { authorization: forged }))).toBe('bad signature');
    });

    it('a token of a key not accepted', async () => {
      const signed = await signedWebhook(joined, stranger);
      expect(reasonOf(requestOf(signed))).toBe('unknown key');
      expect(reasonOf(requestOf(webhook, { keys: new Map() }))).toBe('unknown key');
    });

    it('an expired token, and one not valid yet', () => {
      const later = Date.now() + 7 * 60 * 1000;
      expect(reasonOf(requestOf(webhook, { nowMs: later }))).toBe('expired');
      const earlier = Date.now() - 2 * 60 * 1000;
      expect(reasonOf(requestOf(webhook, { nowMs: earlier }))).toBe('not yet valid');
    });

    it('a body altered by one byte, and the SDK rejects it too', async () => {
      const altered = Buffer.from(webhook.body, 'utf8');
      const at = altered.indexOf('lobby');
      altered[at] = 'L'.charCodeAt(0);
      expect(reasonOf(requestOf(webhook, { rawBody: altered }))).toBe(
        'body does not match its signature',
      );
      await expect(sdkReceives({ ...webhook, body: altered.toString('utf8') })).rejects.toThrow(
        'sha256 checksum of body does not match',
      );
    });

    it('the same event re-serialised (the checksum covers the bytes sent)', () => {
      const reserialised = Buffer.from(JSON.stringify(JSON.parse(webhook.body), null, 1));
      expect(reasonOf(requestOf(webhook, { rawBody: reserialised }))).toBe(
        'body does not match its signature',
      );
    });

    it('a token that signs no body', async () => {
      const authorization = await webhookToken(undefined, current);
      expect(reasonOf(requestOf(webhook, { authorization }))).toBe(
        'token signs no body (no sha256)',
      );
    });

    it('any media type but application/webhook+json, application/json included', () => {
      for (const contentType of [
        undefined,
        '',
        'application/json',
        'text/plain',
        'application/webhook+jsonx',
      ]) {
        expect(reasonOf(requestOf(webhook, { contentType }))).toBe('not application/webhook+json');
      }
    });

    it('a signed body that is not JSON, or not UTF-8', async () => {
      for (const body of [Buffer.from('not json {'), Buffer.from([0x7b, 0xff, 0x7d])]) {
        const authorization = await webhookToken(bodySha256(body), current);
        expect(reasonOf(requestOf(webhook, { rawBody: body, authorization }))).toBe('not JSON');
      }
    });

    it('signed JSON that is not a webhook event', async () => {
      const cases: Array<[unknown, string]> = [
        [[], 'not a webhook event: the event has the wrong shape'],
        [{ ...joined, id: undefined }, 'not a webhook event: id has the wrong shape'],
        [{ ...joined, event: '' }, 'not a webhook event: event has the wrong shape'],
        [{ ...joined, createdAt: undefined }, 'not a webhook event: createdAt has the wrong shape'],
        [
          { ...joined, createdAt: 'yesterday' },
          'not a webhook event: createdAt has the wrong shape',
        ],
        [{ ...joined, room: 'lobby' }, 'not a webhook event: room has the wrong shape'],
        [
          { ...joined, participant: { sid: 'PA_1' } },
          'not a webhook event: participant.identity has the wrong shape',
        ],
        [
          { ...joined, participant: { identity: 7 } },
          'not a webhook event: participant.identity has the wrong shape',
        ],
      ];
      for (const [event, reason] of cases) {
        const body = Buffer.from(JSON.stringify(event));
        const authorization = await webhookToken(bodySha256(body), current);
        expect(reasonOf(requestOf(webhook, { rawBody: body, authorization }))).toBe(reason);
      }
    });

    it('alg none, RS256 and HS512 tokens, even with the right claims', () => {
      const nowSeconds = Math.floor(Date.now() / 1000);
      const claims = {
        iss: current.apiKey,
        nbf: nowSeconds,
        exp: nowSeconds + 300,
        sha256: bodySha256(webhook.body),
      };
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const tokens = [
        handmadeToken({ alg: 'none', typ: 'JWT' }, claims),
        handmadeToken({ alg: 'none' }, claims, 'c2lnbmF0dXJl'),
        jwt.sign(claims, privateKey, { algorithm: 'RS256' }),
        jwt.sign(claims, current.apiSecret, { algorithm: 'HS512' }),
      ];
      for (const authorization of tokens) {
        expect(reasonOf(requestOf(webhook, { authorization }))).toBe('not HS256');
      }
    });
  });
});
