// Micro-benchmark: microseconds per token to sign and to verify, with our grants module
// and with livekit-server-sdk's AccessToken / TokenVerifier, in this process, one token
// at a time.
import { performance } from 'node:perf_hooks';
import { AccessToken, TokenVerifier } from 'livekit-server-sdk';
import { TokenSigner } from '../server/src/grants';
import { BUILT_IN_ROLES, grantFor } from '../server/src/roles';
import { BENCH_KEY, TOKEN_REQUEST_BODY, TOKEN_TTL_SECONDS } from './contract';

/** Microseconds per token, for one implementation. */
export interface SignVerifyTimes {
  signMicros: number;
  verifyMicros: number;
}

/** Results for both implementations, and how many tokens each was timed over. */
export interface SignVerifyResult {
  tokens: number;
  ours: SignVerifyTimes;
  sdk: SignVerifyTimes;
}

const { user_email: identity, full_name: name, room_name: room } = TOKEN_REQUEST_BODY;

/**
 * Runs `operation` `count` times, one after the other, and returns µs per call. Only
 * promises are awaited, so a synchronous signer is not charged for a microtask per call.
 */
async function microsPerCall(count: number, operation: () => unknown): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    const result = operation();
    if (result instanceof Promise) await result;
  }
  return ((performance.now() - started) * 1000) / count;
}

function sdkSign(): Promise<string> {
  const at = new AccessToken(BENCH_KEY.apiKey, BENCH_KEY.apiSecret, {
    identity,
    name,
    ttl: TOKEN_TTL_SECONDS,
  });
  at.addGrant({
    roomJoin: true,
    room,
    canPublish: true,
    canSubscribe: true,
    canUpdateOwnMetadata: true,
  });
  return at.toJwt();
}

const PARTICIPANT = BUILT_IN_ROLES.get('participant') ?? {};

/**
 * Times `tokens` signs and `tokens` verifies per implementation, after a warm-up of a
 * tenth as many. Throws if either side refuses the other's tokens, so a broken signer
 * cannot post a fast time.
 */
export async function benchSignVerify(tokens: number): Promise<SignVerifyResult> {
  const signer = new TokenSigner(BENCH_KEY);
  const verifier = new TokenVerifier(BENCH_KEY.apiKey, BENCH_KEY.apiSecret);
  const oursSign = (): string =>
    signer.sign({
      identity,
      name,
      video: grantFor(PARTICIPANT, room),
      ttlSeconds: TOKEN_TTL_SECONDS,
    }).token;

  const ourToken = oursSign();
  const sdkToken = await sdkSign();
  const sdkReadsOurs = await verifier.verify(ourToken);
  if (sdkReadsOurs.sub !== identity || sdkReadsOurs.video?.room !== room) {
    throw new Error('TokenVerifier accepted our token but its claims are wrong');
  }
  const oursReadsSdk = signer.verify(sdkToken);
  if (!oursReadsSdk.valid) {
    throw new Error(`our verifier refused the SDK's token: ${oursReadsSdk.code}`);
  }
  const oursVerify = (): void => {
    if (!signer.verify(ourToken).valid) throw new Error('our verifier refused our token');
  };
  const sdkVerify = (): Promise<unknown> => verifier.verify(sdkToken);

  const warmUp = Math.ceil(tokens / 10);
  for (const operation of [oursSign, oursVerify, sdkSign, sdkVerify]) {
    await microsPerCall(warmUp, operation);
  }
  return {
    tokens,
    ours: {
      signMicros: await microsPerCall(tokens, oursSign),
      verifyMicros: await microsPerCall(tokens, oursVerify),
    },
    sdk: {
      signMicros: await microsPerCall(tokens, sdkSign),
      verifyMicros: await microsPerCall(tokens, sdkVerify),
    },
  };
}
