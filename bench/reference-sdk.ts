// The /token contract written the way LiveKit's docs show it: express.json(), an
// AccessToken per request, one video grant, `await at.toJwt()`. The bench compares our
// server's requests/s against this one.
import express from 'express';
import { AccessToken } from 'livekit-server-sdk';
import { listenOnLoopback } from './listen';

/** Same lifetime as our server's default TOKEN_EXPIRY_HOURS (24 h), in seconds. */
const TOKEN_TTL_SECONDS = 24 * 3600;

const apiKey = process.env.LIVEKIT_API_KEY;
const apiSecret = process.env.LIVEKIT_API_SECRET;
if (!apiKey || !apiSecret) {
  process.stderr.write('LIVEKIT_API_KEY and LIVEKIT_API_SECRET must be set\n');
  process.exit(1);
}

function isPresent(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

const app = express();
app.use(express.json());
app.post('/token', async (req, res) => {
  const { user_email, full_name, room_name } = (req.body ?? {}) as Record<string, unknown>;
  if (!isPresent(user_email) || !isPresent(full_name) || !isPresent(room_name)) {
    res.status(400).json({ error: 'user_email, full_name and room_name are required' });
    return;
  }
  const at = new AccessToken(apiKey, apiSecret, {
    identity: user_email,
    name: full_name,
    ttl: TOKEN_TTL_SECONDS,
  });
  at.addGrant({
    roomJoin: true,
    room: room_name,
    canPublish: true,
    canSubscribe: true,
    canUpdateOwnMetadata: true,
  });
  const token = await at.toJwt();
  res.json({
    token,
    room_name,
    identity: user_email,
    expires_at: new Date(Date.now() + TOKEN_TTL_SECONDS * 1000).toISOString(),
  });
});
listenOnLoopback(app);
