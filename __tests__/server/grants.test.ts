import { AccessToken, TokenVerifier } from 'livekit-server-sdk';
import { TokenSigner } from '../../server/src/grants';
import {
  decodeSegment,
  hostileTokens,
  livekitPayload,
  nowSeconds,
  signRaw,
  TEST_API_KEY,
  TEST_API_SECRET,
} from '../support/fixtures';

const signer = new TokenSigner({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
const sdkVerifier = new TokenVerifier(TEST_API_KEY, TEST_API_SECRET);

/** A regular participant's grant in one room. */
function participantGrant(room: string) {
  return { roomJoin: true, room, canPublish: true, canSubscribe: true, canUpdateOwnMetadata: true };
}

describe('TokenSigner.sign', () => {
  const now = new Date();
  const request = {
    identity: 'ada@example.com',
    name: 'Ada Lovelace',
    video: participantGrant('physics-101'),
    ttlSeconds: 7200,
  };
  const signed = signer.sign(request, now);

  it('produces an HS256 token that the LiveKit SDK verifies', async () => {
    expect(decodeSegment(signed.token, 0).alg).toBe('HS256');
    const claims = await sdkVerifier.verify(signed.token);
    expect(claims.iss).toBe(TEST_API_KEY);
    expect(claims.sub).toBe('ada@example.com');
    expect(claims.video).toEqual(participantGrant('physics-101'));
  });

  it('sets nbf to now and exp to now plus the lifetime, and reports that expiry', () => {
    const claims = decodeSegment(signed.token, 1);
    const nowInSeconds = Math.floor(now.getTime() / 1000);
    expect(claims.nbf).toBe(nowInSeconds);
    expect(claims.exp).toBe(nowInSeconds + 7200);
    expect(signed.expiresAt.getTime()).toBe((nowInSeconds + 7200) * 1000);
  });

  it("carries exactly the claims the SDK's AccessToken puts there for the same input", async () => {
    const sdkToken = new AccessToken(TEST_API_KEY, TEST_API_SECRET, {
      identity: request.identity,
      name: request.name,
      ttl: request.ttlSeconds,
    });
    sdkToken.addGrant(request.video);
    const sdkClaims = decodeSegment(await sdkToken.toJwt(), 1);
    const ourClaims = decodeSegment(signed.token, 1);
    expect(Object.keys(ourClaims).sort()).toEqual(Object.keys(sdkClaims).sort());
    const withoutTimes = ({ nbf: _nbf, exp: _exp, ...rest }: Record<string, unknown>) => rest;
    expect(withoutTimes(ourClaims)).toEqual(withoutTimes(sdkClaims));
    expect((ourClaims.exp as number) - (ourClaims.nbf as number)).toBe(
      (sdkClaims.exp as number) - (sdkClaims.nbf as number),
    );
  });

  it('is refused by the SDK when checked against another secret', async () => {
    const otherVerifier = new TokenVerifier(TEST_API_KEY, 'a-different-secret-32-characters-long!');
    await expect(otherVerifier.verify(signed.token)).rejects.toThrow();
  });
});

describe('TokenSigner.verify', () => {
  it('accepts its own tokens and returns their claims', () => {
    const { token } = signer.sign({
      identity: 'grace',
      name: 'Grace Hopper',
      video: participantGrant('navy'),
      ttlSeconds: 60,
    });
    const result = signer.verify(token);
    expect(result).toMatchObject({ valid: true, claims: { sub: 'grace', name: 'Grace Hopper' } });
  });

  it("accepts tokens minted by the SDK's AccessToken", async () => {
    const sdkToken = new AccessToken(TEST_API_KEY, TEST_API_SECRET, { identity: 'sdk-user' });
    sdkToken.addGrant({ roomJoin: true, room: 'sdk-room', canSubscribe: true });
    const result = signer.verify(await sdkToken.toJwt());
    expect(result).toMatchObject({
      valid: true,
      claims: { sub: 'sdk-user', video: { room: 'sdk-room' } },
    });
  });

  it('allows 60 seconds of clock skew on exp and nbf, as LiveKit servers do', () => {
    const justExpired = signRaw(livekitPayload({ exp: nowSeconds() - 30 }));
    const almostValid = signRaw(livekitPayload({ nbf: nowSeconds() + 30 }));
    expect(signer.verify(justExpired).valid).toBe(true);
    expect(signer.verify(almostValid).valid).toBe(true);
  });

  it('accepts a token without sub, as used for LiveKit server APIs', () => {
    const result = signer.verify(signRaw(livekitPayload({ sub: undefined })));
    expect(result.valid).toBe(true);
  });

  describe.each(hostileTokens())('with $label', ({ token, code }) => {
    it(`refuses it with ${code}`, () => {
      const result = signer.verify(token);
      expect(result).toMatchObject({ valid: false, code });
    });
  });

  // The SDK's TokenVerifier pins neither the algorithm nor the type of sub; every other
  // refusal is shared with it.
  const refusedBySdkToo = hostileTokens().filter(({ sdkAccepts }) => !sdkAccepts);
  it.each(refusedBySdkToo)('agrees with the SDK verifier on refusing $label', async ({ token }) => {
    await expect(sdkVerifier.verify(token, 60)).rejects.toThrow();
  });
});
