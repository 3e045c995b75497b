// How much of an answer request-token reads: at most 4 MiB, then it stops reading, closes the
// connection and exits 1 in one line. Against a real loopback server that streams far more,
// or without end; and readCappedText on its own, at the cap and one byte past it.
import { ExitCode } from '../../client-cli/src/program';
import { MAX_ANSWER_BYTES, readCappedText } from '../../client-cli/src/read-body';
import { runCli, TOKEN_ANSWER } from '../support/fake-fetch';
import {
  runCliOverHttp,
  startHostileServer,
  streamAnswer,
  type HostileServer,
  type StreamOutcome,
} from '../support/hostile-server';

const CHUNK = 'a'.repeat(64 * 1024);
const HUNDRED_MB = 100 * 1024 * 1024;

describe('request-token when the answer is larger than 4 MiB', () => {
  let server: HostileServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** Starts a server that streams `totalBytes` of a token (or of an error message) to /token. */
  async function streamingServer(
    status: number,
    totalBytes: number,
  ): Promise<{ url: string; outcome: Promise<StreamOutcome> }> {
    let settle: (outcome: StreamOutcome) => void = () => undefined;
    const outcome = new Promise<StreamOutcome>((resolve) => (settle = resolve));
    server = await startHostileServer((_request, response) => {
      void streamAnswer(response, {
        status,
        head: status === 200 ? '{"token":"' : '{"error":{"code":"BAD","message":"',
        chunk: CHUNK,
        totalBytes,
        tail:
          status === 200
            ? '","room_name":"lobby","identity":"ada","expires_at":"2030-01-02T03:04:05.000Z"}'
            : '"}}',
      }).then(settle);
    });
    return { url: server.url, outcome };
  }

  const tooLarge = (url: string) =>
    `error: the server at ${url} answered with more than 4 MiB, far more than a token server sends; request-token stopped reading: check --server (or TOKEN_SERVER_URL).\n`;

  it.each<[string, number]>([
    ['a 100 MB token', 200],
    ['a 100 MB error message', 400],
  ])('stops reading %s, closes the connection and exits 1 in one line', async (_case, status) => {
    const { url, outcome } = await streamingServer(status, HUNDRED_MB);
    const started = Date.now();

    const { exitCode, stdout, stderr } = await runCliOverHttp(['--server', url]);

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(exitCode).toBe(ExitCode.RequestFailed);
    expect(stdout).toBe('');
    expect(stderr).toBe(tooLarge(url));
    // The server saw the client hang up long before the end: what the socket buffers, at most.
    const { closedByClient, bytesWritten } = await outcome;
    expect(closedByClient).toBe(true);
    expect(bytesWritten).toBeLessThan(HUNDRED_MB / 2);
  });

  it('stops an answer that never ends, long before the 10 s timeout', async () => {
    const { url, outcome } = await streamingServer(200, Infinity);
    const started = Date.now();

    const { exitCode, stderr } = await runCliOverHttp(['--server', url]);

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(exitCode).toBe(ExitCode.RequestFailed);
    expect(stderr).toBe(tooLarge(url));
    expect((await outcome).closedByClient).toBe(true);
  });

  it('says which path answered when it is /validate', async () => {
    const { exitCode, stderr } = await runCli(['--validate', '--server', 'http://tokens.test'], {
      answer: (request) =>
        request.url.endsWith('/validate')
          ? new Response(`"${'a'.repeat(MAX_ANSWER_BYTES)}"`)
          : new Response(JSON.stringify(TOKEN_ANSWER)),
    });

    expect(exitCode).toBe(ExitCode.RequestFailed);
    expect(stderr).toMatch(
      /^error: the server at http:\/\/tokens\.test answered \/validate with more than 4 MiB, /,
    );
  });
});

describe('readCappedText', () => {
  /** A body of exactly `bytes` bytes that is a token answer padded with spaces. */
  const paddedAnswer = (bytes: number) => {
    const json = JSON.stringify(TOKEN_ANSWER);
    return json + ' '.repeat(bytes - json.length);
  };

  it('reads a body of exactly the cap, which the CLI takes', async () => {
    const body = paddedAnswer(MAX_ANSWER_BYTES);

    await expect(readCappedText(new Response(body))).resolves.toBe(body);
    const { exitCode } = await runCli([], { answer: () => new Response(body) });
    expect(exitCode).toBe(ExitCode.Success);
  });

  it('gives up one byte past the cap, which the CLI refuses', async () => {
    const body = paddedAnswer(MAX_ANSWER_BYTES + 1);

    await expect(readCappedText(new Response(body))).resolves.toBeUndefined();
    const { exitCode, stdout } = await runCli([], { answer: () => new Response(body) });
    expect(exitCode).toBe(ExitCode.RequestFailed);
    expect(stdout).toBe('');
  });

  it('reads an answer without a body as empty, and text as response.text() does', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x6f, 0x6b, 0xff]);

    await expect(readCappedText(new Response(null, { status: 204 }))).resolves.toBe('');
    await expect(readCappedText(new Response(bytes))).resolves.toBe(
      await new Response(bytes).text(),
    );
  });

  it('holds no more than the cap and a chunk, and cancels the rest of the stream', async () => {
    const chunk = new Uint8Array(64 * 1024);
    let bytesPulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        bytesPulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
      cancel() {
        cancelled = true;
      },
    });

    await expect(readCappedText(new Response(endless), 1024 * 1024)).resolves.toBeUndefined();
    expect(cancelled).toBe(true);
    // One chunk past the cap, and perhaps one the stream queued ahead.
    expect(bytesPulled).toBeLessThanOrEqual(1024 * 1024 + 2 * chunk.byteLength);
  });
});
