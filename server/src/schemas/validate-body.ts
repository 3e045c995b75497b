// The JSON body of POST /validate and its schema.
import Joi from 'joi';
import { requestSchema } from './request-body';

/** The JSON body of `POST /validate`: the token may also come in the query or a header. */
export interface ValidateBody {
  token?: string;
}

/** The schema of a `POST /validate` body. */
export const validateBodySchema = requestSchema<ValidateBody>({
  token: Joi.string()
    .min(1)
    .description('The LiveKit token to check, unless the query or a header carries it.'),
});
