// Structured JSON logging (info batched to stdout, problems at once to stderr, neither able
// to stop the server or grow its memory) and the redaction of request paths, so that tokens
// pasted into URLs never reach a log.
/** Fields of one structured log line; values must never hold secrets or tokens. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** Writes structured log lines. Tests inject their own to capture what is logged. */
export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Writes out anything still buffered; called before the process exits. */
  flush(): void;
}

/** Where a JSON logger's lines go. */
export interface LogSinks {
  /** Receives info lines, in batches. */
  info: (chunk: string) => void;
  /** Receives warning and error lines, one at a time, at once. */
  problems: (chunk: string) => void;
}

/** Options of the JSON logger's info-line buffer. */
export interface BufferOptions {
  /** Longest an info line waits before it is written, in milliseconds. */
  flushIntervalMs: number;
  /** Buffered characters (UTF-16 code units) that trigger a write at once. */
  maxBufferedChars: number;
}

/** What the default sinks write to: process.stdout and process.stderr, or fakes in tests. */
export interface LogStream {
  write(chunk: string): unknown;
  /** What the stream holds, written but not yet taken by its reader. */
  readonly writableLength: number;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}

/**
 * Most a stream may hold unread before log lines are dropped rather than queued, in
 * characters. Without it, a stdout nobody read (a stalled log shipper) grew memory without
 * bound: +35 MB for 58,000 requests.
 */
export const MAX_QUEUED_LOG_CHARS = 1024 * 1024;

function jsonLine(level: string, message: string, fields?: LogFields): string {
  return `${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`;
}

function lineCount(chunk: string): number {
  let lines = 0;
  for (let at = chunk.indexOf('\n'); at !== -1; at = chunk.indexOf('\n', at + 1)) lines += 1;
  return lines;
}

/**
 * Writes to `stream`, and says on `notify` (the other stream) what it could not write. A
 * stream that fails (EPIPE: its reader went away, as after `| head`) is written no more, said
 * once; Node would otherwise throw its 'error' and stop the server. While the stream holds
 * more than `maxQueuedChars` unread, chunks are dropped, said once, and their lines counted;
 * once it holds half as much, writing resumes and the count is said.
 */
function guardedSink(
  stream: LogStream,
  name: string,
  maxQueuedChars: number,
  notify: () => (chunk: string) => void,
): (chunk: string) => void {
  let failed = false;
  let droppedLines: number | undefined;
  const fail = (error: unknown): void => {
    if (failed) return;
    failed = true;
    const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'an error';
    notify()(jsonLine('warn', `${name} is closed (${code}): lines meant for it are lost`));
  };
  stream.on('error', fail);
  return (chunk) => {
    if (failed) return;
    const queued = stream.writableLength;
    if (droppedLines !== undefined) {
      if (queued > maxQueuedChars / 2) {
        droppedLines += lineCount(chunk);
        return;
      }
      const dropped = droppedLines;
      droppedLines = undefined;
      notify()(
        jsonLine('warn', `${name} is read again: log lines were dropped while it was not`, {
          dropped_lines: dropped,
        }),
      );
    } else if (queued + chunk.length > maxQueuedChars) {
      droppedLines = lineCount(chunk);
      notify()(
        jsonLine('warn', `${name} is not being read: log lines are dropped until it is`, {
          queued_chars: queued,
        }),
      );
      return;
    }
    try {
      stream.write(chunk);
    } catch (error) {
      fail(error);
    }
  };
}

/**
 * Sinks writing info lines to `stdout` and problems to `stderr`, neither of which may stop
 * the server: each says on the other what it could not write.
 */
export function streamSinks(
  stdout: LogStream,
  stderr: LogStream,
  maxQueuedChars = MAX_QUEUED_LOG_CHARS,
): LogSinks {
  const sinks: LogSinks = {
    info: guardedSink(stdout, 'stdout', maxQueuedChars, () => sinks.problems),
    problems: guardedSink(stderr, 'stderr', maxQueuedChars, () => sinks.info),
  };
  return sinks;
}

// One pair for the process, made on first use: each sink listens on its stream, and the
// process makes several loggers (tests, many).
let processSinks: LogSinks | undefined;

/** The process's own sinks: stdout and stderr. */
function defaultSinks(): LogSinks {
  processSinks ??= streamSinks(process.stdout, process.stderr);
  return processSinks;
}

const defaultBuffer: BufferOptions = { flushIntervalMs: 100, maxBufferedChars: 64 * 1024 };

/**
 * A logger writing one JSON object per line: info to stdout, warnings and errors to stderr.
 * Info lines (one per request) are batched: Node writes stdout synchronously, and one write
 * call per request cost more CPU than the rest of a /token request together (see the README's
 * benchmark). Warnings and errors are written at once.
 */
export function createJsonLogger(
  sinks: LogSinks = defaultSinks(),
  buffer: BufferOptions = defaultBuffer,
): Logger {
  let pending: string[] = [];
  let pendingChars = 0;
  let timer: NodeJS.Timeout | undefined;

  const flush = (): void => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pending.length === 0) return;
    const chunk = pending.join('');
    pending = [];
    pendingChars = 0;
    sinks.info(chunk);
  };

  return {
    info: (message, fields) => {
      const line = jsonLine('info', message, fields);
      pending.push(line);
      pendingChars += line.length;
      if (pendingChars >= buffer.maxBufferedChars) {
        flush();
      } else if (timer === undefined) {
        // unref: a pending log write never keeps the process alive; exit paths flush.
        timer = setTimeout(flush, buffer.flushIntervalMs).unref();
      }
    },
    warn: (message, fields) => sinks.problems(jsonLine('warn', message, fields)),
    error: (message, fields) => sinks.problems(jsonLine('error', message, fields)),
    flush,
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {}, flush() {} };

/** Path segments this long are opaque values (tokens, keys), never route names. */
const OPAQUE_SEGMENT_LENGTH = 24;

/**
 * A request path safe to log or echo: the query string is dropped (it may carry a token)
 * and every long opaque segment, such as a token or key pasted into the URL, is replaced.
 */
export function redactPath(url: string): string {
  const path = url.split('?', 1)[0] ?? '';
  return path
    .split('/')
    .map((segment) => (segment.length >= OPAQUE_SEGMENT_LENGTH ? '[redacted]' : segment))
    .join('/');
}

/**
 * A URL safe to print: scheme, host, port and path only. User info, the query and the
 * fragment are dropped, since any of them may carry a password or a key.
 */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' && !url.endsWith('/') ? '' : parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}
