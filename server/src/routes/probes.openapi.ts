// GET /healthz and GET /readyz as /openapi.json describes them, beside their handlers
// (probes.ts).
import { errorResponses, jsonAnswer } from '../openapi/responses';
import type { OperationContext } from '../openapi/guard';
import type { JsonSchema, Operation } from '../openapi/types';

/** `{ "status": <value> }`, the answer of a probe that passed. */
function statusAnswer(status: string): JsonSchema {
  return {
    type: 'object',
    required: ['status'],
    additionalProperties: false,
    properties: { status: { const: status } },
  };
}

/** `GET /healthz` in the document: the liveness probe. */
export function healthzOperation({ guard }: OperationContext): Operation {
  return {
    operationId: 'getLiveness',
    summary: 'Liveness probe',
    description: 'Answers 200 while the process can answer at all, draining or not.',
    tags: ['health'],
    responses: {
      '200': jsonAnswer('The process is alive.', statusAnswer('alive')),
      ...errorResponses(guard.errors),
    },
  };
}

/** `GET /readyz` in the document: the readiness probe. */
export function readyzOperation({ guard }: OperationContext): Operation {
  return {
    operationId: 'getReadiness',
    summary: 'Readiness probe',
    description:
      'Answers 200 when this instance can mint tokens as configured, else 503 listing what is missing in `details`: `shutdown` while it drains, `jwks` until the login provider’s keys were fetched, `redis` while the rate limits’ Redis is away. A failed probe starts fetching what is missing.',
    tags: ['health'],
    responses: {
      '200': jsonAnswer('The instance is ready for traffic.', statusAnswer('ready')),
      ...errorResponses([...guard.errors, 'NOT_READY']),
    },
  };
}
