// Invites across two real server processes on one SQLite file (one DATA_DIR): uses are
// counted once however the guests race, and a guest may wait on one process while the host
// admits it on the other.
import { freshDataDir } from '../../support/fixtures';
import { startServer, type RunningServer } from '../../support/processes';
import { KEY, raceForFiveUses, waitOnOneAdmitOnOther } from './support/two-servers';

const LIVEKIT = {
  apiKey: 'APIinvitesprocess',
  apiSecret: 'invites-process-secret-with-more-than-32-characters',
};
let servers: RunningServer[] = [];

beforeAll(async () => {
  const env = {
    AUTH_MODE: 'api-key',
    TOKEN_SERVER_API_KEYS: KEY,
    LIVEKIT_API_KEY: LIVEKIT.apiKey,
    LIVEKIT_API_SECRET: LIVEKIT.apiSecret,
    LIVEKIT_URL: 'wss://livekit.example.test',
    DATA_DIR: freshDataDir(),
    // The race's 20 guests share one address; failures must not run out its budget.
    INVITE_FAILURE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_PER_MINUTE: '0',
  };
  servers = await Promise.all([startServer(env), startServer(env)]);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

describe('two server processes on one SQLite file', () => {
  it('give 5 of 20 racing guests a 5-use invite’s tokens, and tell the 15 others it is used up', async () => {
    await raceForFiveUses(servers, LIVEKIT);
  });

  it('admit on one a guest who waits on the other', async () => {
    await waitOnOneAdmitOnOther(servers, LIVEKIT);
  });
});
