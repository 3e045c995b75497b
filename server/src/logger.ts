// Structured JSON logging (info batched to stdout, problems at once to stderr) and the
// redaction of request paths, so that tokens pasted into URLs never reach a log.
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

const defaultSinks: LogSinks = {
  info: (chunk) => process.stdout.write(chunk),
  problems: (chunk) => process.stderr.write(chunk),
};

const defaultBuffer: BufferOptions = { flushIntervalMs: 100, maxBufferedChars: 64 * 1024 };

/**
 * A logger writing one JSON object per line: info to stdout, warnings and errors to stderr.
 * Info lines (one per request) are batched: Node writes stdout synchronously, and one write
 * call per request cost more CPU than the rest of a /token request together (see the README's
 * benchmark). Warnings and errors are written at once.
 */
export function createJsonLogger(
  sinks: LogSinks = defaultSinks,
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

  const format = (level: string, message: string, fields?: LogFields): string =>
    `${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`;

  return {
    info: (message, fields) => {
      const line = format('info', message, fields);
      pending.push(line);
      pendingChars += line.length;
      if (pendingChars >= buffer.maxBufferedChars) {
        flush();
      } else if (timer === undefined) {
        // unref: a pending log write never keeps the process alive; exit paths flush.
        timer = setTimeout(flush, buffer.flushIntervalMs).unref();
      }
    },
    warn: (message, fields) => sinks.problems(format('warn', message, fields)),
    error: (message, fields) => sinks.problems(format('error', message, fields)),
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
