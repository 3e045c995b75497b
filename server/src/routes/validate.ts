// POST /validate: checks a LiveKit token as LiveKit would and decodes what it grants.
import type { Request, RequestHandler } from 'express';
import { bearerToken } from '../auth/credentials';
import { HttpError } from '../errors';
import { sendJson } from '../respond';
import { validateBody } from '../schemas/request-body';
import { validateBodySchema } from '../schemas/validate-body';
import { validateBodyLimitBytes } from './body-limits';
import type { AppParts, Route } from './route';
import { validateOperation } from './validate.openapi';

const PATH = '/validate';

/**
 * Finds the token in the query string, the JSON body or an `Authorization: Bearer` header.
 * Two different tokens in one request are refused rather than guessed between.
 */
function tokenFromRequest(req: Request, readAuthorization: boolean): string {
  const candidates: string[] = [];
  const fromQuery: unknown = req.query.token;
  if (fromQuery !== undefined) {
    if (typeof fromQuery !== 'string' || fromQuery === '') {
      throw new HttpError(
        'VALIDATION_ERROR',
        'The token query parameter must be given once, non-empty.',
        { details: [{ field: 'token', message: 'token must be a single non-empty string' }] },
      );
    }
    candidates.push(fromQuery);
  }
  const body = validateBody(validateBodySchema, req.body);
  if (body.token !== undefined) candidates.push(body.token);
  const authorization = readAuthorization ? req.get('authorization') : undefined;
  if (authorization !== undefined) {
    const fromHeader = bearerToken(authorization);
    if (fromHeader === undefined) {
      throw new HttpError(
        'INVALID_AUTHORIZATION_HEADER',
        'The Authorization header must have the form "Bearer <token>".',
      );
    }
    candidates.push(fromHeader);
  }
  const distinct = [...new Set(candidates)];
  if (distinct.length === 0) {
    throw new HttpError(
      'MISSING_TOKEN',
      readAuthorization
        ? 'Give the token as the token query parameter, as {"token": "..."} in a JSON body, or as Authorization: Bearer <token>.'
        : 'Give the token as the token query parameter or as {"token": "..."} in a JSON body; Authorization carries your own credentials.',
    );
  }
  if (distinct.length > 1) {
    throw new HttpError('AMBIGUOUS_TOKEN', 'The request carries two different tokens; send one.');
  }
  return distinct[0] as string;
}

/**
 * `POST /validate`: checks a token as LiveKit would and decodes what it grants. With caller
 * authentication on, Authorization carries the caller's credentials, so the token to check
 * comes only from the query or the body. A refused token is this route's answer rather than
 * an error, so the route counts the refusal itself.
 */
function validateHandler({ config, signer, metrics }: AppParts): RequestHandler {
  const tokenInAuthorization = config.auth.mode === 'none';
  return (req, res) => {
    const result = signer.verify(tokenFromRequest(req, tokenInAuthorization));
    if (!result.valid) {
      res.setHeader('WWW-Authenticate', `Bearer error="invalid_token"`);
      metrics.refused(PATH, result.code);
      sendJson(res, 401, { valid: false, error: { code: result.code, message: result.message } });
      return;
    }
    const { claims } = result;
    sendJson(res, 200, {
      valid: true,
      identity: claims.sub ?? null,
      name: claims.name ?? null,
      room: claims.video?.room ?? null,
      expires_at: new Date(claims.exp * 1000).toISOString(),
      grants: claims.video ?? {},
      metadata: claims.metadata ?? null,
      attributes: claims.attributes ?? null,
      room_config: claims.roomConfig ?? null,
    });
  };
}

/** The route table's entry for POST /validate. */
export const validateRoute: Route = {
  method: 'post',
  path: PATH,
  access: { kind: 'caller', budget: 'validate', bodyLimitBytes: validateBodyLimitBytes },
  handler: validateHandler,
  operation: validateOperation,
};
