// AUTH_MODE=api-key: trusted backends send one of TOKEN_SERVER_API_KEYS.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Caller } from '../caller';
import {
  authenticationRequired,
  bearerToken,
  invalidCredentials,
  type PresentedCredentials,
} from './credentials';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Checks a request's caller API key. Each candidate is compared with every configured key,
 * in constant time over equal-length digests, so timing tells nothing about any key.
 */
export function apiKeyAuthenticator(
  callerApiKeys: string[],
): (credentials: PresentedCredentials) => Promise<Caller> {
  const digests = callerApiKeys.map(sha256);
  return async ({ authorization, apiKey }) => {
    const candidate = apiKey ?? bearerToken(authorization);
    if (candidate === undefined) {
      throw authenticationRequired('send your API key as X-API-Key or Authorization: Bearer');
    }
    const candidateDigest = sha256(candidate);
    let matched = -1;
    digests.forEach((digest, index) => {
      if (timingSafeEqual(digest, candidateDigest)) matched = index;
    });
    if (matched === -1) throw invalidCredentials('The API key is not valid.');
    return { kind: 'api-key', keyId: `key-${matched + 1}` };
  };
}
