// What the moderation routes share in /openapi.json: the errors of the moderation store
// and the answer without a body.
import type { OperationError, Parameter, Response } from '../openapi/types';
import { headerRefs, type HeaderName } from '../openapi/responses';

/** Errors any moderation route's handler may answer: the store away. */
export const MODERATION_STORE_ERRORS: readonly OperationError[] = ['MODERATION_UNAVAILABLE'];

/** The 204 of a route that answers nothing. */
export function noContentAnswer(description: string, headers: readonly HeaderName[]): Response {
  return { description, headers: headerRefs(['X-Request-Id', ...headers]) };
}

/** The `{room}` path parameter. */
export const ROOM_PATH_PARAMETER: Parameter = {
  name: 'room',
  in: 'path',
  required: true,
  description: 'The room, as LiveKit names it (URL-encoded).',
  schema: { type: 'string', minLength: 1, maxLength: 256 },
};
