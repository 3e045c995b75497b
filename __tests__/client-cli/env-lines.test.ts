// The --env lines and a hostile server_url: what `request-token --env >> .env` appends must
// come back from dotenv (as the token server reads its .env) and from sh's eval as exactly the
// two variables, with exactly the values answered; a value that cannot be written so is
// refused, and nothing is appended. Against a real loopback server, with a real .env file.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { envLines, envValue, UnwritableEnvValueError } from '../../client-cli/src/env-lines';
import { ExitCode } from '../../client-cli/src/program';
import { TOKEN, TOKEN_ANSWER } from '../support/fake-fetch';
import {
  answerJson,
  expectInert,
  runCliOverHttp,
  startHostileServer,
  type HostileServer,
} from '../support/hostile-server';

/** A token server's own .env, before request-token appends to it. */
const SERVER_ENV = 'AUTH_MODE=api-key\nTOKEN_SERVER_API_KEYS=tsk_live_secret\n';

/** What sh's eval of `lines` sets LIVEKIT_URL and LIVEKIT_TOKEN to, and AUTH_MODE if anything. */
function evalInSh(lines: string): string {
  const shell = spawnSync(
    'sh',
    [
      '-c',
      'eval "$1" && printf "%s|%s|%s" "$LIVEKIT_URL" "$LIVEKIT_TOKEN" "${AUTH_MODE-unset}"',
      'sh',
      lines,
    ],
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
  );
  expect(shell.stderr).toBe('');
  return shell.stdout;
}

describe('request-token --env >> .env when the server answers a hostile server_url', () => {
  let server: HostileServer;
  let serverUrl = '';
  let directory: string;
  let envFile: string;

  beforeAll(async () => {
    server = await startHostileServer((_request, response) =>
      answerJson(response, 200, { ...TOKEN_ANSWER, server_url: serverUrl }),
    );
  });

  afterAll(() => server.close());

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'request-token-env-'));
    envFile = join(directory, '.env');
    writeFileSync(envFile, SERVER_ENV);
  });

  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  /** Runs `request-token --env` and appends its stdout to the .env, as `>> .env` does. */
  async function appendEnv(answeredUrl: string) {
    serverUrl = answeredUrl;
    const result = await runCliOverHttp(['--server', server.url, '--env']);
    appendFileSync(envFile, result.stdout);
    return result;
  }

  it.each<[string, string]>([
    ['a plain URL', 'wss://livekit.example.test:7880'],
    ['a query, a fragment and a ~', 'wss://lk.example.test/~rtc?region=eu&x=1#frag'],
    ['a quote', "wss://lk.example.test/it's"],
    ['a $, parentheses and a ;', 'wss://lk.example.test/$(id);AUTH_MODE=none'],
    ['what looks like an assignment', 'AUTH_MODE=none'],
    ['an IPv6 literal', 'ws://[::1]:7880'],
  ])('with %s, appends exactly the two variables and values', async (_case, answeredUrl) => {
    const { exitCode, stdout } = await appendEnv(answeredUrl);

    expect(exitCode).toBe(ExitCode.Success);
    expect(parseDotenv(readFileSync(envFile))).toStrictEqual({
      AUTH_MODE: 'api-key',
      TOKEN_SERVER_API_KEYS: 'tsk_live_secret',
      LIVEKIT_URL: answeredUrl,
      LIVEKIT_TOKEN: TOKEN,
    });
    expect(evalInSh(stdout)).toBe(`${answeredUrl}|${TOKEN}|unset`);
  });

  it.each<[string, string]>([
    ['a line break and a variable', 'wss://lk.test\nAUTH_MODE=none'],
    ['a CR, which dotenv reads as a line break', 'wss://lk.test\rAUTH_MODE=none'],
    ['a quote that ends single quotes, then a line', "wss://lk.test'\nAUTH_MODE=none\n'"],
    ['a double quote', 'wss://lk.test"\nAUTH_MODE="none'],
    ['a # and a line', 'wss://lk.test#\nAUTH_MODE=none'],
    ["both ' and $, which no quoting reads the same in both", "wss://lk.test/it's$HOME"],
    ['a backquote', 'wss://lk.test/`id`'],
    ['a backslash', 'wss://lk.test/\\n'],
    ['a space', 'wss://lk.test AUTH_MODE=none'],
    ['a leading space', ' wss://lk.test'],
    ['the line separator', 'wss://lk.test\u2028AUTH_MODE=none'],
    ['an ANSI escape', 'wss://lk.test\u001b[2J'],
    ['non-ASCII text', 'wss://lk.test/café'],
  ])('with %s, exits 1 and appends nothing', async (_case, answeredUrl) => {
    const { exitCode, stdout, stderr } = await appendEnv(answeredUrl);

    expect(exitCode).toBe(ExitCode.RequestFailed);
    expect(stdout).toBe('');
    expect(readFileSync(envFile, 'utf8')).toBe(SERVER_ENV);
    expectInert(stderr);
    expect(stderr).toBe(
      "error: --env cannot write the token server's value for LIVEKIT_URL so that a shell and a .env file both read it back exactly (it holds characters a URL does not, or both ' and $); nothing was printed. Check the token server's LIVEKIT_URL, or leave out --env.\n",
    );
  });
});

describe('envValue', () => {
  it.each<[string, string]>([
    [TOKEN, TOKEN],
    ['wss://livekit.example.com:7880', 'wss://livekit.example.com:7880'],
    ['https://user@host/a%20b+c,d=e', 'https://user@host/a%20b+c,d=e'],
    ['http://[::1]:7880', "'http://[::1]:7880'"],
    ['wss://host/rtc?a=1&b=2', "'wss://host/rtc?a=1&b=2'"],
    ['~/x', "'~/x'"],
    ['$HOME', "'$HOME'"],
    ['a#comment', "'a#comment'"],
    ["it's", '"it\'s"'],
  ])('writes %j as %s', (value, expected) => {
    expect(envValue(value)).toBe(expected);
  });

  it.each<[string, string]>([
    ['an empty value', ''],
    ['two words', 'two words'],
    ['a line break', 'a\nb'],
    ["' and $", "it's $HOME"],
    ['a double quote', 'say"hi'],
  ])('writes nothing for %s', (_case, value) => {
    expect(envValue(value)).toBeUndefined();
  });
});

describe('envLines', () => {
  it('writes one NAME=value line per variable, in order', () => {
    expect(
      envLines([
        ['A', 'x'],
        ['B', 'y?'],
      ]),
    ).toBe("A=x\nB='y?'\n");
  });

  it('throws UnwritableEnvValueError naming the variable it cannot write', () => {
    expect(() =>
      envLines([
        ['A', 'x'],
        ['LIVEKIT_TOKEN', 'a\nb'],
      ]),
    ).toThrow(new UnwritableEnvValueError('LIVEKIT_TOKEN'));
  });
});
