// What the CLI prints on stderr when a real token server refuses with hostile text in its
// code, message and details, or in its status line, or /validate does: every string shown
// inert, one line each, and bounded. The explanation of a refusal still follows.
import { UnreachableServerError } from '../../client-cli/src/client-errors';
import { explainFailure } from '../../client-cli/src/explain';
import { ExitCode } from '../../client-cli/src/program';
import { TOKEN_ANSWER } from '../support/fake-fetch';
import {
  answerJson,
  expectInert,
  HOSTILE_TEXT,
  runCliOverHttp,
  startHostileServer,
  type HostileHandler,
  type HostileServer,
} from '../support/hostile-server';

describe('request-token when a hostile server refuses', () => {
  let server: HostileServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function runAgainst(handler: HostileHandler, args: string[] = []) {
    server = await startHostileServer(handler);
    return runCliOverHttp(['--server', server.url, ...args]);
  }

  describe.each(Object.entries(HOSTILE_TEXT))('with %s', (_case, text) => {
    it('shows code, message and details inert, one line each', async () => {
      const { exitCode, stdout, stderr } = await runAgainst((_request, response) =>
        answerJson(response, 400, {
          error: { code: text, message: text, details: [{ field: text, message: text }, text] },
        }),
      );

      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(stdout).toBe('');
      expectInert(stderr);
      const lines = stderr.split('\n');
      expect(lines).toHaveLength(4);
      expect(lines[0]).toMatch(/^error: the token server answered 400 /);
      expect(lines[1]).toMatch(/^ {2}- /);
      expect(lines[2]).toMatch(/^ {2}- /);
    });

    it('shows the message of a 401 inert, then what to do', async () => {
      const { stderr } = await runAgainst((_request, response) =>
        answerJson(response, 401, { error: { code: 'INVALID_CREDENTIALS', message: text } }),
      );

      expectInert(stderr);
      expect(stderr.split('\n')).toEqual([
        expect.stringMatching(/^error: the token server answered 401 INVALID_CREDENTIALS: /),
        expect.stringMatching(/^the token server refused the credentials: /),
        '',
      ]);
    });

    it("shows /validate's reason for refusing the token inert, in one line", async () => {
      const { exitCode, stdout, stderr } = await runAgainst(
        (request, response) =>
          request.path === '/validate'
            ? answerJson(response, 401, { valid: false, error: { code: text, message: text } })
            : answerJson(response, 200, TOKEN_ANSWER),
        ['--validate'],
      );

      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(stdout).toBe('');
      expectInert(stderr);
      expect(stderr.split('\n')).toEqual([
        expect.stringMatching(/^error: the token server issued a token, but \/validate says /),
        '',
      ]);
    });
  });

  it('writes an escape as a visible \\u001b, a CR as \\r, in quotes', async () => {
    const { stderr } = await runAgainst((_request, response) =>
      answerJson(response, 403, {
        error: { code: 'FORBIDDEN', message: 'no\u001b]0;pwned\u0007\rtoken: forged' },
      }),
    );

    expect(stderr.split('\n')[0]).toBe(
      'error: the token server answered 403 FORBIDDEN: "no\\u001b]0;pwned\\u0007\\rtoken: forged"',
    );
  });

  it('shows C1 controls and bidi overrides in the status line of another server as escapes', async () => {
    // Node sends a status message's characters as bytes (Latin-1): these are the UTF-8 of
    // U+009B (CSI) and U+202E (RIGHT-TO-LEFT OVERRIDE), which fetch decodes as such.
    const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
    const { exitCode, stderr } = await runAgainst((_request, response) => {
      response.writeHead(502, utf8('Bad \u009b2J \u202eyawetaG')).end('<html></html>');
    });

    expect(exitCode).toBe(ExitCode.RequestFailed);
    expectInert(stderr);
    expect(stderr).toContain('502 Bad \\u009b2J \\u202eyawetaG without');
  });

  it('cuts a message of 100,000 characters to its first 500, and says how many more', async () => {
    const { stderr } = await runAgainst((_request, response) =>
      answerJson(response, 400, {
        error: {
          code: 'VALIDATION_ERROR',
          message: 'm'.repeat(100_000),
          details: ['d'.repeat(100_000)],
        },
      }),
    );

    expect(stderr.length).toBeLessThan(1_200);
    expect(stderr).toContain(`: ${'m'.repeat(500)}… (99500 more characters)\n`);
    expect(stderr).toContain(`  - ${'d'.repeat(500)}… (99500 more characters)\n`);
  });
});

describe('explainFailure for an unreachable server', () => {
  it.each(Object.entries(HOSTILE_TEXT))(
    'shows a reason holding %s (a certificate name, say) inert',
    (_case, text) => {
      const explanation = explainFailure(
        new UnreachableServerError('https://tokens.test', `Hostname mismatch: DNS:${text}`),
      );

      expectInert(explanation ?? '');
      expect(explanation?.split('\n')).toHaveLength(3);
    },
  );
});
