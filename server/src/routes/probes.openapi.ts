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

/** The 200 of /readyz: ready, and what the instance serves without, if anything. */
const READY_ANSWER: JsonSchema = {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: {
    status: { const: 'ready' },
    degraded: {
      type: 'array',
      description:
        'What the instance serves without, less well, when anything: `redis` while the rate limits’ Redis does not answer (each instance then counts a share of each budget in memory).',
      items: {
        type: 'object',
        required: ['field', 'message'],
        additionalProperties: false,
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

/** `GET /readyz` in the document: the readiness probe. */
export function readyzOperation({ guard }: OperationContext): Operation {
  return {
    operationId: 'getReadiness',
    summary: 'Readiness probe',
    description:
      'Answers 200 when this instance can mint tokens as configured, listing under `degraded` what it serves without (`redis`: the rate limits’ Redis does not answer, so budgets are counted in memory), else 503 listing what is missing in `details`: `shutdown` while it drains, `jwks` until the login provider’s keys were fetched. A failed probe starts fetching what is missing.',
    tags: ['health'],
    responses: {
      '200': jsonAnswer('The instance is ready for traffic.', READY_ANSWER),
      ...errorResponses([...guard.errors, 'NOT_READY']),
    },
  };
}
