// GET / as /openapi.json describes it: the answer beside its handler (health.ts).
import { errorResponses, jsonAnswer } from '../openapi/responses';
import type { OperationContext } from '../openapi/guard';
import type { Operation } from '../openapi/types';

/** `GET /` in the document: the health answer. */
export function healthOperation({ serverVersion, guard }: OperationContext): Operation {
  return {
    operationId: 'getHealth',
    summary: 'Health',
    description: 'Tells load balancers and people that the server is up, and which version.',
    tags: ['health'],
    responses: {
      '200': jsonAnswer('The server is up.', {
        type: 'object',
        required: ['status', 'service', 'version', 'timestamp'],
        additionalProperties: false,
        properties: {
          status: { const: 'healthy' },
          service: { const: 'LiveKit Token Server' },
          version: { const: serverVersion, description: "The server package's version." },
          timestamp: {
            type: 'string',
            format: 'date-time',
            description: 'When the answer was made, in UTC.',
          },
        },
      }),
      ...errorResponses(guard.errors),
    },
  };
}
