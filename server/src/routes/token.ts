import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import Joi from 'joi';
import { callerOf, type Caller } from '../auth';
import type { Config } from '../config';
import { HttpError } from '../errors';
import { participantGrant, type TokenSigner } from '../grants';
import { printableText, requestSchema, validateBody } from '../validation';
import { sendJson } from '../respond';

/** The JSON body of `POST /token`. */
interface TokenBody {
  user_email: string;
  full_name: string;
  user_id?: string;
  room_name?: string;
}

const tokenBodySchema = requestSchema<TokenBody>({
  user_email: Joi.string().max(254).email({ tlds: false }).required(),
  full_name: printableText.required(),
  user_id: printableText,
  room_name: printableText,
});

/** A room name nobody can guess: 96 random bits. */
export function generateRoomName(): string {
  return `room-${randomBytes(12).toString('base64url')}`;
}

/**
 * For a caller logged in with a JWT, the login's name and email stand in for the body's
 * full_name and user_email when the body leaves them out.
 */
function withLoginDefaults(body: unknown, caller: Caller): unknown {
  if (caller.kind !== 'jwt' || typeof body !== 'object' || body === null || Array.isArray(body)) {
    return body;
  }
  return {
    ...(caller.email === undefined ? {} : { user_email: caller.email }),
    ...(caller.name === undefined ? {} : { full_name: caller.name }),
    ...body,
  };
}

/**
 * The identity the token is for. A JWT caller's identity is the verified one, whatever the
 * body says; anyone else's is user_id, else user_email.
 */
function identityFor(body: TokenBody, caller: Caller): string {
  if (caller.kind !== 'jwt') return body.user_id ?? body.user_email;
  if (body.user_id !== undefined && body.user_id !== caller.identity) {
    throw new HttpError(
      403,
      'IDENTITY_MISMATCH',
      'user_id differs from the identity of your login; leave it out or send the same value.',
    );
  }
  return caller.identity;
}

/** `POST /token`: mints a LiveKit join token for one participant in one room. */
export function tokenHandler(config: Config, signer: TokenSigner): RequestHandler {
  return (req, res) => {
    const caller = callerOf(res.locals);
    const body = validateBody(tokenBodySchema, withLoginDefaults(req.body, caller));
    const identity = identityFor(body, caller);
    if (
      body.room_name !== undefined &&
      config.roomNamePattern !== undefined &&
      !config.roomNamePattern.test(body.room_name)
    ) {
      throw new HttpError(
        403,
        'ROOM_NOT_ALLOWED',
        'room_name is not one this server hands out tokens for (see ROOM_NAME_PATTERN).',
      );
    }
    const roomName = body.room_name ?? generateRoomName();
    const { token, expiresAt } = signer.sign({
      identity,
      name: body.full_name,
      video: participantGrant(roomName),
      ttlSeconds: config.tokenTtlSeconds,
    });
    sendJson(res, 200, {
      token,
      room_name: roomName,
      identity,
      expires_at: expiresAt.toISOString(),
      ...(config.livekitUrl ? { server_url: config.livekitUrl } : {}),
    });
  };
}
