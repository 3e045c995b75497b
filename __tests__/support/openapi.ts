// Checks an answer against an app's own OpenAPI document: the operation for its method and
// path, the answer for its status, and the body against that answer's JSON Schema (with
// ajv, compiled once per document and answer). Answers of routes the document does not
// describe (unknown paths, wrong methods, preflights) must still have the error shape when
// they are errors. Used by openapi-contract.ts for every supertest answer.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { OpenApiDocument } from '../../server/src/openapi/types';

/** What the check needs of an answer. */
export interface Answer {
  method: string;
  /** The path as requested, query string included or not. */
  path: string;
  status: number;
  /** The Content-Type header, if any. */
  contentType: string | undefined;
  /** The body, parsed from JSON; undefined when there is none. */
  body: unknown;
}

/** One document's compiled schemas, keyed by JSON pointer. */
interface CompiledDocument {
  ajv: Ajv2020;
  validators: Map<string, ValidateFunction>;
}

const compiled = new WeakMap<OpenApiDocument, CompiledDocument>();

/** The document's id inside ajv, so that `#/components/...` references resolve. */
const DOCUMENT_ID = 'openapi.json';

function compiledDocument(document: OpenApiDocument): CompiledDocument {
  let entry = compiled.get(document);
  if (entry === undefined) {
    // Not strict: the document around the schemas (openapi, paths...) and the x- extensions
    // are not JSON Schema keywords. The document's own validity is tested apart.
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    ajv.addSchema(document, DOCUMENT_ID);
    entry = { ajv, validators: new Map() };
    compiled.set(document, entry);
  }
  return entry;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function validatorAt(document: OpenApiDocument, pointer: string): ValidateFunction {
  const entry = compiledDocument(document);
  let validate = entry.validators.get(pointer);
  if (validate === undefined) {
    validate = entry.ajv.getSchema(`${DOCUMENT_ID}#${pointer}`);
    if (validate === undefined) throw new Error(`/openapi.json has no schema at ${pointer}`);
    entry.validators.set(pointer, validate);
  }
  return validate;
}

/** The documented path Express would route a request path to (case-insensitive, slash-tolerant). */
function documentedPath(document: OpenApiDocument, requestPath: string): string | undefined {
  const pathname = requestPath.split('?')[0] ?? '';
  const normalised = (pathname.length > 1 ? pathname.replace(/\/$/, '') : pathname).toLowerCase();
  const paths = Object.keys(document.paths);
  // Exact paths first, then templates (`/bans/{id}`), as Express matches them.
  return (
    paths.find((path) => path.toLowerCase() === normalised) ??
    paths.find((path) => templateOf(path).test(normalised))
  );
}

/** A templated path (`/rooms/{room}/audit`) as a regular expression over lowercased paths. */
function templateOf(path: string): RegExp {
  const pattern = path
    .toLowerCase()
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${pattern}$`);
}

function isJson(contentType: string | undefined): boolean {
  return /^application\/json\b/i.test(contentType ?? '');
}

/** Checks a body against the schema at `pointer`; answers what is wrong, or undefined. */
function bodyProblem(
  document: OpenApiDocument,
  pointer: string,
  where: string,
  answer: Answer,
  label: string,
): string | undefined {
  if (!isJson(answer.contentType)) {
    return `${label} came as ${answer.contentType ?? 'no Content-Type'}, not the JSON /openapi.json promises`;
  }
  const validate = validatorAt(document, pointer);
  if (validate(answer.body)) return undefined;
  const { ajv } = compiledDocument(document);
  const errors = ajv.errorsText(validate.errors, { dataVar: 'body', separator: '; ' });
  return `${label} with a body that does not match ${where} in /openapi.json: ${errors}; body: ${JSON.stringify(answer.body).slice(0, 500)}`;
}

/**
 * What is wrong with an answer by the document, or undefined when it matches: an answer of a
 * documented route must have a documented status and match its schema; an error of any
 * other route must have the error shape. Answers without a body (HEAD, 204, 304) are only
 * checked for their status.
 */
export function answerProblem(document: OpenApiDocument, answer: Answer): string | undefined {
  const method = answer.method.toLowerCase() === 'head' ? 'get' : answer.method.toLowerCase();
  const label = `${answer.method.toUpperCase()} ${answer.path.split('?')[0]} answered ${answer.status}`;
  const hasBody = answer.body !== undefined && answer.method.toUpperCase() !== 'HEAD';
  const path = documentedPath(document, answer.path);
  const operation = path === undefined ? undefined : document.paths[path]?.[method];
  if (path === undefined || operation === undefined) {
    if (answer.status < 400 || !hasBody) return undefined;
    return bodyProblem(document, '/components/schemas/Error', 'the error schema', answer, label);
  }
  const status = String(answer.status);
  const response = operation.responses[status];
  if (response === undefined) {
    return `${label}, a status /openapi.json does not list for that route (it lists ${Object.keys(operation.responses).join(', ')})`;
  }
  if (response.content === undefined || !hasBody) return undefined;
  const mediaTypes = Object.keys(response.content);
  const [mediaType] = mediaTypes;
  if (mediaType === undefined) return undefined;
  const pointer = ['', 'paths', path, method, 'responses', status, 'content', mediaType, 'schema']
    .map(escapePointer)
    .join('/');
  return bodyProblem(document, pointer, `${method} ${path} ${status}`, answer, label);
}
