import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { CONFIG_VARIABLES } from '../../server/src/config';
import { TOKEN_ERROR_CODES } from '../../server/src/grants';
import { ERROR_CODES } from '../../server/src/error-codes';
import { REPO_ROOT } from '../support/processes';

const README = 'README.md';
const DOCS = readdirSync(join(REPO_ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .sort()
  .map((name) => join('docs', name));
/** The files a reader follows from the README: the README itself and docs/. */
const MARKDOWN = [README, ...DOCS];

/** The longest prose line, in characters; tables and code blocks may run longer. */
const MAX_PROSE_LINE = 120;
const MAX_README_LINES = 210;

function read(file: string): string {
  return readFileSync(join(REPO_ROOT, file), 'utf8');
}

/** One line of a Markdown file, with what it belongs to. */
interface MarkdownLine {
  number: number;
  text: string;
  inCode: boolean;
  inTable: boolean;
}

function linesOf(file: string): MarkdownLine[] {
  let inCode = false;
  return read(file)
    .split('\n')
    .map((text, index) => {
      const fence = /^\s*(```|~~~)/.test(text);
      const line = {
        number: index + 1,
        text,
        inCode: inCode || fence,
        inTable: /^\s*\|/.test(text),
      };
      if (fence) inCode = !inCode;
      return line;
    });
}

/** The contents of every fenced code block of a file. */
function codeBlocksOf(file: string): string[] {
  const blocks: string[] = [];
  let current: string[] | undefined;
  for (const line of linesOf(file)) {
    if (/^\s*(```|~~~)/.test(line.text)) {
      if (current === undefined) {
        current = [];
      } else {
        blocks.push(current.join('\n').trim());
        current = undefined;
      }
    } else if (current !== undefined) {
      current.push(line.text);
    }
  }
  return blocks;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slugOf(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown file's headings, with GitHub's -1, -2... for repeated ones. */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of linesOf(file)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line.text);
    if (line.inCode || heading === null) continue;
    const slug = slugOf(heading[1] ?? '');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Every link target of a file outside code, with the line it is on. */
function linksOf(file: string): Array<{ target: string; line: number }> {
  return linesOf(file)
    .filter((line) => !line.inCode)
    .flatMap((line) =>
      [...line.text.replace(/`[^`]*`/g, 'code').matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map(
        ([, target = '']) => ({ target, line: line.number }),
      ),
    );
}

/**
 * Every error code the server can answer with: the catalogue, whose codes are the only ones
 * an HttpError can carry, and the codes /validate refuses a token with.
 */
function errorCodesTheServerAnswers(): string[] {
  return [...new Set([...Object.keys(ERROR_CODES), ...TOKEN_ERROR_CODES])].sort();
}

describe('README.md', () => {
  it(`has at most ${MAX_README_LINES} lines`, () => {
    expect(read(README).trimEnd().split('\n').length).toBeLessThanOrEqual(MAX_README_LINES);
  });

  it('maps every file in docs/', () => {
    const readme = read(README);
    expect(DOCS.filter((file) => !readme.includes(`](${file})`))).toEqual([]);
  });
});

describe('README.md and docs/', () => {
  it('finds the files to check', () => {
    expect(DOCS).toEqual(
      expect.arrayContaining([
        'docs/api.md',
        'docs/cli.md',
        'docs/clients.md',
        'docs/configuration.md',
        'docs/deploy.md',
        'docs/security.md',
        'docs/troubleshooting.md',
      ]),
    );
  });

  it(`keeps prose lines, outside tables and code blocks, within ${MAX_PROSE_LINE} characters`, () => {
    const long = MARKDOWN.flatMap((file) =>
      linesOf(file)
        .filter((line) => !line.inCode && !line.inTable && [...line.text].length > MAX_PROSE_LINE)
        .map((line) => `${file}:${line.number} (${[...line.text].length} characters)`),
    );
    expect(long).toEqual([]);
  });

  it('links only to files that exist, and to headings that exist in Markdown files', () => {
    const links = MARKDOWN.flatMap((file) => linksOf(file).map((link) => ({ file, ...link })));
    const relativeLinks = links.filter(({ target }) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
    expect(relativeLinks.length).toBeGreaterThan(50);
    const broken = relativeLinks.flatMap(({ file, target, line }) => {
      const [path = '', anchor] = target.split('#');
      const linked = path === '' ? join(REPO_ROOT, file) : resolve(REPO_ROOT, dirname(file), path);
      const where = `${file}:${line} → ${target}`;
      if (!linked.startsWith(REPO_ROOT) || !existsSync(linked)) return [`${where} (no such file)`];
      if (anchor === undefined || !linked.endsWith('.md')) return [];
      return anchorsOf(relative(REPO_ROOT, linked)).has(anchor)
        ? []
        : [`${where} (no such heading)`];
    });
    expect(broken).toEqual([]);
  });

  it('runs request-token through npx only with --no-install', () => {
    const uses = MARKDOWN.flatMap((file) =>
      linesOf(file).flatMap((line) =>
        [...line.text.matchAll(/\bnpx((?:\s+-{1,2}[\w-]+(?:=\S+)?)*)\s+request-token\b/g)].map(
          ([, flags = '']) => ({ where: `${file}:${line.number}`, flags, text: line.text }),
        ),
      ),
    );
    expect(uses.length).toBeGreaterThan(10);
    // A line explaining what the plain form would do is not a use of it.
    const unsafe = uses.filter(
      ({ flags, text }) => !flags.includes('--no-install') && !text.includes('would download'),
    );
    expect(unsafe.map(({ where }) => where)).toEqual([]);
  });

  it('shows no example twice: each code block appears once, the others link to it', () => {
    const seen = new Map<string, string>();
    const repeated: string[] = [];
    for (const file of MARKDOWN) {
      for (const block of codeBlocksOf(file)) {
        const first = seen.get(block);
        if (first !== undefined) repeated.push(`${file} repeats a block of ${first}`);
        else seen.set(block, file);
      }
    }
    expect(seen.size).toBeGreaterThan(20);
    expect(repeated).toEqual([]);
  });
});

describe('docs/api.md', () => {
  const api = read('docs/api.md');

  it('names every error code the server answers with', () => {
    const codes = errorCodesTheServerAnswers();
    expect(codes).toEqual(expect.arrayContaining(['ROLE_NOT_ALLOWED', 'TOKEN_EXPIRED']));
    expect(codes.length).toBeGreaterThan(25);
    expect(codes.filter((code) => !api.includes(`\`${code}\``))).toEqual([]);
  });

  it('documents each route the README lists', () => {
    const routes = [...read(README).matchAll(/^\| `((?:GET|POST) \/[\w./-]*)`/gm)].map(
      ([, route = '']) => route,
    );
    expect(routes.length).toBeGreaterThanOrEqual(9);
    const headings = linesOf('docs/api.md')
      .filter((line) => !line.inCode && line.text.startsWith('#'))
      .map((line) => line.text)
      .join('\n');
    expect(routes.filter((route) => !headings.includes(`\`${route}\``))).toEqual([]);
  });
});

describe('docs/configuration.md', () => {
  it('names every variable the server reads, or leaves it to .env.example', () => {
    const documented = `${read('docs/configuration.md')}\n${read('.env.example')}`;
    const names = CONFIG_VARIABLES.map(({ name }) => name);
    expect(names.length).toBeGreaterThan(30);
    expect(names.filter((name) => !new RegExp(`\\b${name}\\b`).test(documented))).toEqual([]);
  });

  it('says that .env.example is the complete list', () => {
    expect(read('docs/configuration.md')).toMatch(/\.env\.example[^\n]* stays the complete list/);
  });
});
