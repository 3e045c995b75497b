// request-token as users start it, against a hostile token server: the built CLI run as a
// real process, for what only a process shows (the exit code, what reaches stdout and
// stderr, how soon it ends). What each defence does in detail is tested in-process, in the
// files named after its source.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEY, TOKEN, TOKEN_ANSWER } from '../support/fake-fetch';
import {
  answerJson,
  expectInert,
  HOSTILE_TEXT,
  startHostileServer,
  streamAnswer,
  type HostileServer,
} from '../support/hostile-server';
import {
  cleanEnv,
  CLI_ENTRY,
  requireBuilt,
  runProcess,
  runRequestToken,
} from '../support/processes';

describe('request-token against a hostile token server (process)', () => {
  let workDirectory: string;
  let target: HostileServer;
  let hostile: HostileServer | undefined;

  beforeAll(async () => {
    requireBuilt(CLI_ENTRY);
    workDirectory = mkdtempSync(join(tmpdir(), 'request-token-hostile-'));
    target = await startHostileServer((_request, response) => answerJson(response, 200, {}));
  });

  afterAll(async () => {
    await target.close();
    rmSync(workDirectory, { recursive: true, force: true });
  });

  afterEach(async () => {
    await hostile?.close();
    hostile = undefined;
  });

  describe('that redirects to another server', () => {
    it('exits 1 without sending the API key from .env there, naming only its origin', async () => {
      hostile = await startHostileServer((_request, response) => {
        response.writeHead(307, { location: `${target.url}/steal?key=abc` }).end();
      });
      writeFileSync(join(workDirectory, '.env'), `TOKEN_SERVER_API_KEY=${API_KEY}\n`);

      const result = await runRequestToken(['--server', hostile.url], { cwd: workDirectory });

      expect(hostile.requests[0]?.headers['x-api-key']).toBe(API_KEY);
      expect(target.requests).toEqual([]);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.split('\n')).toEqual([
        expect.stringContaining(`a redirect to ${target.url};`),
        '',
      ]);
      expect(result.stderr).not.toContain('/steal');
      expect(result.stderr).not.toContain(API_KEY);
    });
  });

  describe('that answers with escapes, CR, LF and bidi characters in every field', () => {
    const hostileText = Object.values(HOSTILE_TEXT).join('');

    it.each<[string, string[]]>([
      ['the summary', []],
      ['--json', ['--json']],
    ])('prints %s inert, and the token whole', async (_mode, args) => {
      hostile = await startHostileServer((_request, response) =>
        answerJson(response, 200, {
          ...TOKEN_ANSWER,
          room_name: hostileText,
          identity: hostileText,
          expires_at: hostileText,
        }),
      );

      const result = await runRequestToken(['--server', hostile.url, ...args], {
        cwd: workDirectory,
      });

      expect(result.exitCode).toBe(0);
      expectInert(result.stdout);
      expect(result.stdout).toContain(TOKEN);
    });

    it('with --quiet, exits 1 for a token that is not a JWT, printing nothing of it', async () => {
      hostile = await startHostileServer((_request, response) =>
        answerJson(response, 200, { ...TOKEN_ANSWER, token: `${TOKEN}\r${hostileText}` }),
      );

      const result = await runRequestToken(['--server', hostile.url, '--quiet'], {
        cwd: workDirectory,
      });

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expectInert(result.stderr);
      expect(result.stderr).not.toContain(TOKEN);
    });
  });

  describe('that answers a server_url with a line for .env in it', () => {
    it('makes `request-token --env >> .env` exit 1 and append nothing', async () => {
      hostile = await startHostileServer((_request, response) =>
        answerJson(response, 200, {
          ...TOKEN_ANSWER,
          server_url: "wss://lk.test'\nAUTH_MODE=none\n'",
        }),
      );
      const envFile = join(workDirectory, '.env');
      writeFileSync(envFile, 'AUTH_MODE=api-key\n');

      const result = await runProcess(
        'sh',
        ['-c', '"$@" --env >> .env', 'sh', process.execPath, CLI_ENTRY, '--server', hostile.url],
        { cwd: workDirectory, env: cleanEnv() },
      );

      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(
        /^error: --env cannot write the token server's value for LIVEKIT_URL /,
      );
      expect(readFileSync(envFile, 'utf8')).toBe('AUTH_MODE=api-key\n');
    });
  });

  describe('that streams a token without end', () => {
    it('exits 1 in one line well before the 10 s timeout, and hangs up', async () => {
      let closedByClient: Promise<boolean> | undefined;
      hostile = await startHostileServer((_request, response) => {
        closedByClient = streamAnswer(response, {
          status: 200,
          head: '{"token":"',
          chunk: 'a'.repeat(64 * 1024),
          totalBytes: Infinity,
          tail: '"}',
        }).then((outcome) => outcome.closedByClient);
      });
      const started = Date.now();

      const result = await runRequestToken(['--server', hostile.url], { cwd: workDirectory });

      expect(Date.now() - started).toBeLessThan(5_000);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^error: the server at \S+ answered with more than 4 MiB, [^\n]*\n$/,
      );
      await expect(closedByClient).resolves.toBe(true);
    });
  });
});
