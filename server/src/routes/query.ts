// Reading the query and path parameters of the moderation routes: each read once, checked
// as the body's fields are, and a 400 VALIDATION_ERROR naming the parameter otherwise.
import type { Request } from 'express';
import { validationError } from '../schemas/request-body';
import { isIdentifierText } from '../text';

/** A 400 for one bad parameter. */
function badParameter(field: string, message: string): never {
  throw validationError([{ field, message: `${field} ${message}` }]);
}

/** A query parameter given at most once, as text; undefined when absent. */
function queryValue(req: Request, name: string): string | undefined {
  const value: unknown = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return badParameter(name, 'must be given once, as text');
  return value;
}

/** An identifier (a room, an identity) in the query. */
export function queryIdentifier(req: Request, name: string): string | undefined {
  const value = queryValue(req, name);
  if (value !== undefined && !isIdentifierText(value)) {
    badParameter(name, 'must be 1 to 256 characters without control or invisible characters');
  }
  return value;
}

/** A time in the query, as an ISO 8601 date-time; answered in epoch milliseconds. */
export function queryTime(req: Request, name: string): number | undefined {
  const value = queryValue(req, name);
  if (value === undefined) return undefined;
  const ms = /^\d{4}-\d\d-\d\dT/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    badParameter(name, 'must be an ISO 8601 date-time, like 2026-12-02T10:00:00Z');
  return ms;
}

/** A whole number in the query, from `min` to `max`. */
export function queryWholeNumber(
  req: Request,
  name: string,
  range: { min: number; max: number },
): number | undefined {
  const value = queryValue(req, name);
  if (value === undefined) return undefined;
  const number = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= range.min && number <= range.max)) {
    badParameter(name, `must be a whole number from ${range.min} to ${range.max}`);
  }
  return number;
}

/** Text in the query with a pattern, such as a paging cursor. */
export function queryMatching(req: Request, name: string, pattern: RegExp): string | undefined {
  const value = queryValue(req, name);
  if (value !== undefined && !pattern.test(value))
    badParameter(name, 'is not one this server gave');
  return value;
}

/** An identifier in the path (a room), decoded by Express. */
export function pathIdentifier(req: Request, name: string): string {
  const value: unknown = req.params[name];
  if (!isIdentifierText(value)) {
    return badParameter(
      name,
      'must be 1 to 256 characters without control or invisible characters',
    );
  }
  return value;
}
