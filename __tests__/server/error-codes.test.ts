import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, type ErrorCode } from '../../server/src/error-codes';
import { HttpError } from '../../server/src/errors';
import { REPO_ROOT } from '../support/processes';

const SOURCE_ROOT = join(REPO_ROOT, 'server', 'src');

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Every code the server's source raises: `new HttpError('CODE'`. The compiler holds each to
 * the catalogue; this reads the source for the other direction, codes nothing raises.
 */
function raisedCodes(): Set<string> {
  const codes = sourceFiles(SOURCE_ROOT)
    .filter((file) => !file.endsWith('error-codes.ts'))
    .flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/new HttpError\(\s*'([A-Z][A-Z0-9_]*)'/g)].map(
        ([, code = '']) => code,
      ),
    );
  return new Set(codes);
}

describe('ERROR_CODES', () => {
  it('finds the errors the server raises', () => {
    const raised = raisedCodes();
    expect(raised.size).toBeGreaterThan(20);
    expect(raised).toContain('ROLE_NOT_ALLOWED');
  });

  it('holds no code the server never raises', () => {
    const raised = raisedCodes();
    expect((Object.keys(ERROR_CODES) as ErrorCode[]).filter((code) => !raised.has(code))).toEqual(
      [],
    );
  });

  it('gives every code a client or server error status and words for when', () => {
    for (const [code, { status, when }] of Object.entries(ERROR_CODES)) {
      expect({ code, status: status >= 400 && status < 600, when: when.length > 10 }).toEqual({
        code,
        status: true,
        when: true,
      });
    }
  });
});

describe('HttpError', () => {
  it('takes its status from the catalogue', () => {
    expect(new HttpError('ROLE_NOT_ALLOWED', 'No.').status).toBe(403);
    expect(new HttpError('RATE_LIMITED', 'Later.').status).toBe(429);
    expect(new HttpError('NOT_READY', 'Wait.').status).toBe(503);
  });

  it('carries details and headers when given', () => {
    const error = new HttpError('VALIDATION_ERROR', 'Bad.', {
      details: [{ field: 'a', message: 'b' }],
      headers: { 'X-Hint': 'c' },
    });
    expect(error).toMatchObject({
      status: 400,
      code: 'VALIDATION_ERROR',
      message: 'Bad.',
      details: [{ field: 'a', message: 'b' }],
      headers: { 'X-Hint': 'c' },
    });
  });
});
