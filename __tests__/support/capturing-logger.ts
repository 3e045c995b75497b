import type { LogFields, Logger } from '../../server/src/logger';

/** A logger that keeps every line, to check what reaches the logs. */
export function capturingLogger(): Logger & {
  lines: Array<{ message: string; fields?: LogFields }>;
} {
  const lines: Array<{ message: string; fields?: LogFields }> = [];
  const keep = (message: string, fields?: LogFields) => {
    lines.push({ message, fields });
  };
  return { lines, info: keep, warn: keep, error: keep, flush() {} };
}
