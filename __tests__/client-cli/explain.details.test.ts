// How many details of an error answer request-token prints: the first 20, as many as the token
// server lists, then how many more there were. A hostile server sent 200,000.
import { ExitCode } from '../../client-cli/src/program';
import { jsonResponse, runCli } from '../support/fake-fetch';
import { answerJson, runCliOverHttp, startHostileServer } from '../support/hostile-server';

/**
 * An error answer with `count` details: the first 20 numbered, the others one letter each, so
 * that 200,000 of them stay within the 4 MiB that request-token reads.
 */
function withDetails(count: number) {
  return {
    error: {
      code: 'VALIDATION_ERROR',
      message: 'The request is invalid.',
      details: Array.from({ length: count }, (_, index) =>
        index < 20 ? `problem ${index + 1}` : 'x',
      ),
    },
  };
}

describe('request-token when the server answers with many error details', () => {
  it('prints the first 20 of 200,000 from a real server, then how many more', async () => {
    const server = await startHostileServer((_request, response) =>
      answerJson(response, 400, withDetails(200_000)),
    );
    try {
      const { exitCode, stdout, stderr } = await runCliOverHttp(['--server', server.url]);

      expect(exitCode).toBe(ExitCode.RequestFailed);
      expect(stdout).toBe('');
      expect(stderr.split('\n')).toEqual([
        'error: the token server answered 400 VALIDATION_ERROR: The request is invalid.',
        ...Array.from({ length: 20 }, (_, index) => `  - problem ${index + 1}`),
        '  - and 199,980 more',
        '',
      ]);
    } finally {
      await server.close();
    }
  });

  it.each<[number, string[]]>([
    [20, ['  - problem 19', '  - problem 20', '']],
    [21, ['  - problem 20', '  - and 1 more', '']],
  ])('with %d details, ends with %j', async (count, lastLines) => {
    const { stderr } = await runCli([], { answer: () => jsonResponse(400, withDetails(count)) });

    expect(stderr.split('\n').slice(-lastLines.length)).toEqual(lastLines);
    expect(stderr).not.toContain('  - x\n');
  });
});
