// The JSON body of PUT /rooms/{room} and its schema.
import Joi from 'joi';
import { requestSchema } from './request-body';

/** The most participants a room's cap may name; LiveKit's own rooms stay far below. */
export const MAX_ROOM_CAP = 100_000;

/** The JSON body of `PUT /rooms/{room}`. */
export interface RoomLimitBody {
  max_participants: number | null;
}

/** The schema of a `PUT /rooms/{room}` body. */
export const roomLimitBodySchema = requestSchema<RoomLimitBody>({
  max_participants: Joi.alternatives()
    .try(Joi.number().integer().min(1).max(MAX_ROOM_CAP), Joi.valid(null))
    .required()
    .description("The room's cap on participants; null: back to ROOM_MAX_PARTICIPANTS (or none)."),
});
