// Invites across two real server processes on one Redis: uses are counted once however the
// guests race, and a guest may wait on one instance while the host admits it on the other.
import { startServer, type RunningServer } from '../../support/processes';
import {
  describeWithRedis,
  startRedis,
  stopAllRedis,
  type RunningRedis,
} from '../../support/redis';
import { KEY, raceForFiveUses, waitOnOneAdmitOnOther } from './support/two-servers';

const LIVEKIT = {
  apiKey: 'APIinvitesredis',
  apiSecret: 'invites-redis-secret-with-more-than-32-characters',
};
let redis: RunningRedis;
let servers: RunningServer[] = [];

describeWithRedis()('two server processes with REDIS_URL', () => {
  beforeAll(async () => {
    redis = await startRedis();
    const env = {
      AUTH_MODE: 'api-key',
      TOKEN_SERVER_API_KEYS: KEY,
      LIVEKIT_API_KEY: LIVEKIT.apiKey,
      LIVEKIT_API_SECRET: LIVEKIT.apiSecret,
      LIVEKIT_URL: 'wss://livekit.example.test',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `invites-${process.pid}:`,
      // Margins no loaded machine runs out of (moderation waits four times this).
      REDIS_TIMEOUT_MS: '2000',
      INVITE_FAILURE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_PER_MINUTE: '0',
    };
    servers = await Promise.all([startServer(env), startServer(env)]);
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await stopAllRedis();
  });

  it('give 5 of 20 racing guests a 5-use invite’s tokens, and tell the 15 others it is used up', async () => {
    await raceForFiveUses(servers, LIVEKIT);
  });

  it('admit on one a guest who waits on the other', async () => {
    await waitOnOneAdmitOnOther(servers, LIVEKIT);
  });
});
