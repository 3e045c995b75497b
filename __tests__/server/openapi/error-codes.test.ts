import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, type ErrorCode } from '../../../server/src/openapi/error-codes';
import { REPO_ROOT } from '../../support/processes';

const SOURCE_ROOT = join(REPO_ROOT, 'server', 'src');

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every `new HttpError(status, 'CODE'` in the server's source, its status when literal. */
function thrownErrors(): Array<{ code: string; status: number | undefined; file: string }> {
  return sourceFiles(SOURCE_ROOT).flatMap((file) =>
    [
      ...readFileSync(file, 'utf8').matchAll(/new HttpError\(\s*([\w.]+),\s*'([A-Z][A-Z0-9_]*)'/g),
    ].map(([, status = '', code = '']) => ({
      code,
      status: /^\d{3}$/.test(status) ? Number(status) : undefined,
      file: file.slice(REPO_ROOT.length + 1),
    })),
  );
}

describe('ERROR_CODES', () => {
  const thrown = thrownErrors();

  it('finds the errors the server throws', () => {
    expect(thrown.length).toBeGreaterThan(20);
    expect(thrown).toContainEqual({
      code: 'ROLE_NOT_ALLOWED',
      status: 403,
      file: join('server', 'src', 'issue-token.ts'),
    });
  });

  it('documents every code the server throws, with the status it is thrown with', () => {
    const undocumented = thrown.filter(({ code, status }) => {
      const documented = (ERROR_CODES as Record<string, { status: number } | undefined>)[code];
      return documented === undefined || (status !== undefined && documented.status !== status);
    });
    expect(undocumented).toEqual([]);
  });

  it('documents no code the server never throws', () => {
    const codes = new Set(thrown.map(({ code }) => code));
    expect((Object.keys(ERROR_CODES) as ErrorCode[]).filter((code) => !codes.has(code))).toEqual(
      [],
    );
  });
});
