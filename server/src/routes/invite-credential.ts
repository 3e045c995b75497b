// An invite code as a guest's credential on the token routes: in `X-Invite-Code` (what
// `TokenSource.endpoint(url, { headers })` sends), or for POST /token in the body's
// `invite_code`. A request that carries one needs no API key or login, in every AUTH_MODE;
// the handler redeems it. A request without one is refused as before, its credentials first.
import type { Request, RequestHandler } from 'express';
import { requireAuthentication } from '../auth';
import { jsonBody } from '../json-body';

/** The header a guest sends its code in; CORS lets allowed origins send it. */
export const INVITE_CODE_HEADER = 'X-Invite-Code';

/** The code a request carries, in the header or (`fromBody`) the body; undefined for none. */
export function inviteCodeOf(req: Request, fromBody: boolean): unknown {
  const header = req.get(INVITE_CODE_HEADER);
  if (header !== undefined) return header;
  if (!fromBody) return undefined;
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  return (body as Record<string, unknown>).invite_code;
}

/** Whether a request comes with an invite, however well-formed its code. */
export function carriesInvite(req: Request, fromBody: boolean): boolean {
  return inviteCodeOf(req, fromBody) !== undefined;
}

/**
 * What stands where requireAuthentication does on a token route that takes invites. With
 * the code in the header only, the body is read after, as on other routes. With the body
 * too, it is read first, within the same limit, so that its code is seen; without a code,
 * a failed authentication is still the answer, before any problem of the body.
 */
export function inviteOrAuthentication(
  where: 'header' | 'header-or-body',
  bodyLimitBytes: number,
): RequestHandler[] {
  const readBody = jsonBody(bodyLimitBytes);
  if (where === 'header') {
    return [
      (req, res, next) =>
        carriesInvite(req, false) ? next() : requireAuthentication(req, res, next),
      readBody,
    ];
  }
  return [
    (req, res, next) =>
      readBody(req, res, (bodyProblem?: unknown) => {
        if (!carriesInvite(req, true) && res.locals.authError !== undefined) {
          next(res.locals.authError);
          return;
        }
        next(bodyProblem);
      }),
  ];
}
