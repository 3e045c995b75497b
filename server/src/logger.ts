/** Fields of one structured log line; values must never hold secrets or tokens. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** Writes structured log lines. Tests inject their own to capture what is logged. */
export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

type Level = 'info' | 'warn' | 'error';

/** A logger writing one JSON object per line: info to stdout, warnings and errors to stderr. */
export function createJsonLogger(
  write: (level: Level, line: string) => void = (level, line) =>
    (level === 'info' ? process.stdout : process.stderr).write(line),
): Logger {
  const log = (level: Level, message: string, fields?: LogFields): void => {
    write(
      level,
      `${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`,
    );
  };
  return {
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
