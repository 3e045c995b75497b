import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import Joi from 'joi';
import type { Config } from '../config';
import { participantGrant, type TokenSigner } from '../grants';
import { printableText, requestSchema, validateBody } from '../validation';

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

/** `POST /token`: mints a LiveKit join token for one participant in one room. */
export function tokenHandler(config: Config, signer: TokenSigner): RequestHandler {
  return (req, res) => {
    const body = validateBody(tokenBodySchema, req.body);
    const identity = body.user_id ?? body.user_email;
    const roomName = body.room_name ?? generateRoomName();
    const { token, expiresAt } = signer.sign({
      identity,
      name: body.full_name,
      video: participantGrant(roomName),
      ttlSeconds: config.tokenTtlSeconds,
    });
    res.json({
      token,
      room_name: roomName,
      identity,
      expires_at: expiresAt.toISOString(),
      ...(config.livekitUrl ? { server_url: config.livekitUrl } : {}),
    });
  };
}
