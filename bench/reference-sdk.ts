// The /token contract and LiveKit's standard token endpoint, POST /connection-details, written
// the way LiveKit's docs show them: express.json(), an AccessToken per request, one video
// grant, `await at.toJwt()`. The bench compares our server's requests/s against this one.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { AccessToken, RoomAgentDispatch, RoomConfiguration } from 'livekit-server-sdk';
import { listenOnLoopback } from './listen';

/** Same lifetime as our server's default TOKEN_EXPIRY_HOURS (24 h), in seconds. */
const TOKEN_TTL_SECONDS = 24 * 3600;

const apiKey = process.env.LIVEKIT_API_KEY;
const apiSecret = process.env.LIVEKIT_API_SECRET;
const serverUrl = process.env.LIVEKIT_URL;
if (!apiKey || !apiSecret || !serverUrl) {
  process.stderr.write('LIVEKIT_API_KEY, LIVEKIT_API_SECRET and LIVEKIT_URL must be set\n');
  process.exit(1);
}

/** The body of a standard token endpoint request (LiveKit's TokenSource), every field optional. */
interface ConnectionDetailsRequest {
  room_name?: string;
  participant_identity?: string;
  participant_name?: string;
  participant_metadata?: string;
  participant_attributes?: Record<string, string>;
  room_config?: { agents?: { agent_name: string; metadata?: string }[] };
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
app.post('/connection-details', async (req, res) => {
  const {
    room_name: roomName = `room-${randomUUID()}`,
    participant_identity: identity = `participant-${randomUUID()}`,
    participant_name: name,
    participant_metadata: metadata,
    participant_attributes: attributes,
    room_config: roomConfig,
  } = (req.body ?? {}) as ConnectionDetailsRequest;
  const at = new AccessToken(apiKey, apiSecret, {
    identity,
    name,
    metadata,
    attributes,
    ttl: TOKEN_TTL_SECONDS,
  });
  at.addGrant({
    roomJoin: true,
    room: roomName,
    canPublish: true,
    canSubscribe: true,
    canPublishData: true,
  });
  if (roomConfig?.agents) {
    at.roomConfig = new RoomConfiguration({
      agents: roomConfig.agents.map(
        (agent) => new RoomAgentDispatch({ agentName: agent.agent_name, metadata: agent.metadata }),
      ),
    });
  }
  res.status(201).json({ server_url: serverUrl, participant_token: await at.toJwt() });
});
listenOnLoopback(app);
