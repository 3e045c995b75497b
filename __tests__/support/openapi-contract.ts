// Jest setup (setupFilesAfterEnv): every answer a test receives through supertest from an
// app made by createApp is checked against that app's own OpenAPI document
// (`openApiDocumentOf(app)`, built for the check if nothing asked for it before), success
// and error alike. An answer that does not match fails the
// test that received it, naming the route, the status and the schema's complaint. Apps
// built with other configurations carry other documents; each answer is held to its own.
import type { RequestListener, Server } from 'node:http';
import type { Response } from 'superagent';
import { Test } from 'supertest';
import { openApiDocumentOf } from '../../server/src/app';
import type { OpenApiDocument } from '../../server/src/openapi/types';
import { answerProblem } from './openapi';

/** What supertest's Test holds that the check reads. */
interface TestInternals {
  app: Server | string;
  assert(error: Error | null, res: Response | undefined, fn?: AssertCallback): void;
}

type AssertCallback = (error: Error | null, res: Response | undefined) => void;

/** The document of the app a supertest server serves, if createApp made that app. */
function documentOf(target: Server | string): OpenApiDocument | undefined {
  if (typeof target === 'string') return undefined;
  for (const listener of target.listeners('request') as RequestListener[]) {
    const document = openApiDocumentOf(listener);
    if (document !== undefined) return document;
  }
  return undefined;
}

/** What the document says is wrong with a supertest answer, as an Error; undefined if nothing. */
function contractError(target: Server | string, res: Response): Error | undefined {
  const document = documentOf(target);
  if (document === undefined) return undefined;
  // superagent's answer keeps the request it answered.
  const request = (res as unknown as { req: { method: string; path: string } }).req;
  const text = (res as unknown as { text?: string }).text;
  const problem = answerProblem(document, {
    method: request.method,
    path: request.path,
    status: res.status,
    contentType: res.headers['content-type'] as string | undefined,
    body: text === undefined || text === '' ? undefined : res.body,
  });
  return problem === undefined ? undefined : new Error(`OpenAPI contract: ${problem}`);
}

const prototype = Test.prototype as unknown as TestInternals;
const assert = prototype.assert;

// Wraps supertest's last step, which every awaited or ended request passes: the test's own
// expectations are checked first, so a wrong status reads as such; then the contract.
prototype.assert = function checkContract(
  this: TestInternals,
  error: Error | null,
  res: Response | undefined,
  fn?: AssertCallback,
) {
  assert.call(this, error, res, (assertionError, answered) => {
    let contractFailure: Error | undefined;
    if (assertionError === null && answered !== undefined) {
      // Whatever goes wrong must reach the test: thrown here, it would hang it instead.
      try {
        contractFailure = contractError(this.app, answered);
      } catch (error) {
        contractFailure = new Error(`OpenAPI contract check failed: ${String(error)}`);
      }
    }
    fn?.(assertionError ?? contractFailure ?? null, answered);
  });
};
