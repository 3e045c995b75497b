// Apps with moderation for the tests: API-key callers, host tokens signed as LiveKit's
// server SDK signs them, and the caller key every moderation test uses.
import { AccessToken } from 'livekit-server-sdk';
import type { Express } from 'express';
import { createApp, lifecycleOf, type AppOptions } from '../../server/src/app';
import { TEST_API_KEY, TEST_API_SECRET, testConfig } from './fixtures';

/** The caller API key of moderation tests' apps (AUTH_MODE=api-key). */
export const MODERATOR_KEY = 'moderator-key-aaaaaaaaaaaaaaaaaaaaaaaa';

const made: Express[] = [];

/** An app in api-key mode with `env` over it; closed by closeModerationApps. */
export function moderationApp(env: Record<string, string> = {}, options: AppOptions = {}): Express {
  const app = createApp(
    testConfig({ AUTH_MODE: 'api-key', TOKEN_SERVER_API_KEYS: MODERATOR_KEY, ...env }),
    options,
  );
  made.push(app);
  return app;
}

/** Closes every app moderationApp made (their stores); for afterEach. */
export async function closeModerationApps(): Promise<void> {
  await Promise.all(made.splice(0).map((app) => lifecycleOf(app).close()));
}

/** A LiveKit token for `room`, signed by the SDK with our test key; `roomAdmin` as asked. */
export async function livekitToken(
  room: string,
  options: { roomAdmin?: boolean; identity?: string; ttl?: number; secret?: string } = {},
): Promise<string> {
  const token = new AccessToken(TEST_API_KEY, options.secret ?? TEST_API_SECRET, {
    identity: options.identity ?? 'host-1',
    ttl: options.ttl ?? 600,
  });
  token.addGrant({ roomJoin: true, room, roomAdmin: options.roomAdmin ?? true });
  return token.toJwt();
}
