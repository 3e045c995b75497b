import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import Joi from 'joi';
import { HttpError } from '../../../server/src/errors';
import { jsonSchemaOf } from '../../../server/src/openapi/json-schema';
import type { JsonSchema } from '../../../server/src/openapi/types';
import { connectionDetailsBodySchema } from '../../../server/src/schemas/connection-details-body';
import { MAX_AGENTS, MAX_ATTRIBUTES_BYTES } from '../../../server/src/schemas/fields';
import { validateBody } from '../../../server/src/schemas/request-body';
import { tokenBodySchema } from '../../../server/src/schemas/token-body';
import { testConfig } from '../../support/fixtures';

const config = testConfig({ TOKEN_EXPIRY_HOURS: '1' });
const tokenJoi = tokenBodySchema(config);
const connectionDetailsJoi = connectionDetailsBodySchema(config);
const tokenJson = jsonSchemaOf(tokenJoi);
const connectionDetailsJson = jsonSchemaOf(connectionDetailsJoi);

/** The camelCase spellings a Joi schema renames, `from` to `to`. */
function renamesOf(schema: Joi.ObjectSchema): Array<[string, string]> {
  const { renames = [] } = schema.describe() as { renames?: Array<{ from: string; to: string }> };
  return renames.map(({ from, to }) => [from, to]);
}

/** A field's rule, its words aside. */
function withoutDescription(schema: JsonSchema | undefined): JsonSchema {
  return Object.fromEntries(Object.entries(schema ?? {}).filter(([key]) => key !== 'description'));
}

function properties(schema: JsonSchema): Record<string, JsonSchema> {
  return schema.properties as Record<string, JsonSchema>;
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);

/** Whether the server's Joi schema takes a body. */
function joiAccepts(schema: Joi.ObjectSchema, body: unknown): boolean {
  try {
    validateBody(schema, body);
    return true;
  } catch (error) {
    if (error instanceof HttpError) return false;
    throw error;
  }
}

describe('jsonSchemaOf', () => {
  describe('for the POST /token body', () => {
    const fields = properties(tokenJson);

    it('refuses unknown fields', () => {
      expect(tokenJson).toMatchObject({ type: 'object', additionalProperties: false });
    });

    it('says in words that full_name is required in either spelling', () => {
      expect(fields.full_name?.description).toMatch(/Required, as full_name or fullName\.$/);
    });

    it('states each field with its type, limits and description', () => {
      expect(fields.user_email).toMatchObject({
        type: 'string',
        format: 'email',
        maxLength: 254,
        description: expect.stringMatching(/identity/),
      });
      expect(fields.full_name).toMatchObject({
        type: 'string',
        minLength: 1,
        maxLength: 256,
        pattern: '^(?=[\\s\\S]*?\\S)[^\\p{Cs}\\p{Cc}]*$',
        description: expect.stringMatching(/display name.*must not contain .*control characters/),
      });
      expect(fields.ttl_seconds).toMatchObject({ type: 'integer', minimum: 1, maximum: 3600 });
      expect(fields.role).toMatchObject({
        type: 'string',
        enum: ['participant', 'viewer', 'host'],
      });
      expect(fields.metadata).toMatchObject({ type: 'string', 'x-max-utf8-bytes': 65536 });
    });

    it('states every pattern in one, the refused characters left out of its class', () => {
      expect(fields.room_name?.pattern).toBe(
        '^(?=[\\s\\S]*?\\S)[^\\p{Cs}\\p{Cc}\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$',
      );
      expect(fields.room_name).not.toHaveProperty('not');
      expect(fields.room_name).not.toHaveProperty('allOf');
    });

    it('states attributes as string keys to string values, with their limits', () => {
      expect(fields.attributes).toMatchObject({
        type: 'object',
        additionalProperties: { type: 'string', pattern: '^[^\\p{Cs}]*$' },
        propertyNames: {
          type: 'string',
          minLength: 1,
          maxLength: 256,
          pattern: expect.stringMatching(
            /^\^\(\?=.*\(\?!__proto__\$\)\[\^\\p\{Cs\}\\p\{Cc\}\\u200b/,
          ),
        },
        'x-max-utf8-bytes': MAX_ATTRIBUTES_BYTES,
      });
      expect(fields.attributes?.properties).toBeUndefined();
    });

    it('states room_config as a list of agents', () => {
      expect(fields.room_config).toMatchObject({
        type: 'object',
        additionalProperties: false,
        properties: { agents: { type: 'array', maxItems: MAX_AGENTS } },
      });
    });
  });

  describe.each([
    ['POST /token', tokenJoi, tokenJson],
    ['POST /connection-details', connectionDetailsJoi, connectionDetailsJson],
  ] as const)('for the camelCase spellings of the %s body', (_route, joiSchema, jsonSchema) => {
    const fields = properties(jsonSchema);
    const renames = renamesOf(joiSchema);

    it('finds them in the Joi schema', () => {
      expect(renames).toContainEqual(['roomName', 'room_name']);
    });

    it.each(renames)('accepts %s as a spelling of %s, never both', (camelCase, snakeCase) => {
      expect(withoutDescription(fields[camelCase])).toEqual(withoutDescription(fields[snakeCase]));
      expect(fields[camelCase]?.description).toMatch(
        new RegExp(`^${snakeCase}, spelt in camelCase`),
      );
      expect((jsonSchema.not as { anyOf: JsonSchema[] }).anyOf).toContainEqual({
        title: `both ${snakeCase} and ${camelCase}`,
        required: [snakeCase, camelCase],
      });
    });
  });

  describe('for the POST /connection-details body', () => {
    const fields = properties(connectionDetailsJson);

    it("accepts agentName for an agent's agent_name", () => {
      const agent = (
        properties(fields.room_config ?? {}).agents as { items: JsonSchema } | undefined
      )?.items;
      expect(agent?.properties).toHaveProperty('agentName');
      expect(agent?.not).toEqual({
        anyOf: [{ title: 'both agent_name and agentName', required: ['agent_name', 'agentName'] }],
      });
    });
  });

  describe('agrees with the Joi schema it comes from', () => {
    const identity = { user_email: 'ada@example.com', full_name: 'Ada Lovelace' };
    const tokenBodies: Array<[string, unknown]> = [
      ['the least body', identity],
      ['no full_name', { user_email: 'ada@example.com' }],
      ['fullName', { user_email: 'ada@example.com', fullName: 'Ada' }],
      ['fullName and full_name', { ...identity, fullName: 'Ada' }],
      ['no identity', { full_name: 'Ada' }],
      ['user_id alone', { full_name: 'Ada', user_id: 'ada' }],
      ['userEmail alone', { full_name: 'Ada', userEmail: 'ada@example.com' }],
      ['an unknown field', { ...identity, colour: 'blue' }],
      ['a bad email', { ...identity, user_email: 'not-an-email' }],
      ['a name of white space', { ...identity, full_name: '   ' }],
      ['a name with a control character', { ...identity, full_name: 'Ada\u0007' }],
      ['a name with a lone surrogate', { ...identity, full_name: 'Ada\ud800' }],
      ['a right-to-left name', { ...identity, full_name: '\u05d0\u200f\u05d1' }],
      ['a room with a zero-width space', { ...identity, room_name: 'ad\u200bmin' }],
      ['a room of 257 characters', { ...identity, room_name: 'r'.repeat(257) }],
      ['a known role', { ...identity, role: 'viewer' }],
      ['an unknown role', { ...identity, role: 'admin' }],
      ['ttl_seconds 0', { ...identity, ttl_seconds: 0 }],
      ['ttl_seconds at the lifetime', { ...identity, ttl_seconds: 3600 }],
      ['ttl_seconds past the lifetime', { ...identity, ttl_seconds: 3601 }],
      ['ttl_seconds 1.5', { ...identity, ttl_seconds: 1.5 }],
      ['ttl_seconds as a string', { ...identity, ttl_seconds: '60' }],
      ['attributes', { ...identity, attributes: { team: 'blue', empty: '' } }],
      ['an attribute with an empty key', { ...identity, attributes: { '': 'x' } }],
      ['an attribute of a number', { ...identity, attributes: { team: 1 } }],
      [
        'an attribute key with a control character',
        { ...identity, attributes: { 'te\u0007am': 'x' } },
      ],
      [
        'an attribute key with a zero-width space',
        { ...identity, attributes: { 'te\u200bam': 'x' } },
      ],
      ['an attribute key of white space', { ...identity, attributes: { '  ': 'x' } }],
      [
        'an attribute key with a lone surrogate',
        { ...identity, attributes: { 'te\ud800am': 'x' } },
      ],
      [
        'an attribute key of 257 characters',
        { ...identity, attributes: { ['k'.repeat(257)]: 'x' } },
      ],
      [
        'an attribute key __proto__',
        { ...identity, attributes: JSON.parse('{"__proto__": "x"}') as unknown },
      ],
      ['an attribute key __proto__x', { ...identity, attributes: { __proto__x: 'x' } }],
      [
        'an attribute value with a lone surrogate',
        { ...identity, attributes: { team: 'a\udc00' } },
      ],
      [
        'an attribute value with a control character',
        { ...identity, attributes: { team: 'a\u0007' } },
      ],
      ['a paired surrogate in a name', { ...identity, full_name: 'Ada \ud83d\ude00' }],
      ['userId alone', { fullName: 'Ada', userId: 'ada' }],
      ['userId and user_id', { full_name: 'Ada', userId: 'ada', user_id: 'ada' }],
      ['full_name and fullName', { user_id: 'ada', full_name: 'Ada', fullName: 'Ada' }],
      ['metadata with a lone surrogate', { ...identity, metadata: '\udc00' }],
      ['empty metadata', { ...identity, metadata: '' }],
      ['an agent', { ...identity, room_config: { agents: [{ agent_name: 'tutor' }] } }],
      ['an agent by agentName', { ...identity, room_config: { agents: [{ agentName: 'tutor' }] } }],
      ['too many agents', { ...identity, room_config: { agents: Array(MAX_AGENTS + 1).fill({}) } }],
      ['another room setting', { ...identity, room_config: { max_participants: 2 } }],
    ];

    it.each(tokenBodies)('for /token with %s', (_label, body) => {
      expect(ajv.validate(tokenJson, body)).toBe(joiAccepts(tokenJoi, body));
    });

    const jwtTokenJoi = tokenBodySchema(
      testConfig({
        AUTH_MODE: 'jwt',
        AUTH_JWT_SECRET: 'caller-jwt-secret-that-is-at-least-32-characters',
        AUTH_ISSUER: 'https://id.example.test/',
        AUTH_AUDIENCE: 'livekit-token-server',
      }),
    );
    const jwtTokenJson = jsonSchemaOf(jwtTokenJoi);

    it.each([
      ['an empty body', {}],
      ['full_name alone', { full_name: 'Ada' }],
      ['a bad full_name', { full_name: 'Ada\u0007' }],
      ['fullName and full_name', { full_name: 'Ada', fullName: 'Ada' }],
      ['user_email alone', { user_email: 'ada@example.com' }],
      ['an unknown field', { colour: 'blue' }],
    ] as Array<[string, unknown]>)('for /token in jwt mode with %s', (_label, body) => {
      expect(ajv.validate(jwtTokenJson, body)).toBe(joiAccepts(jwtTokenJoi, body));
    });

    const connectionDetailsBodies: Array<[string, unknown]> = [
      ['an empty body', {}],
      ['roomName', { roomName: 'physics-101' }],
      ['roomName and room_name', { roomName: 'physics-101', room_name: 'physics-101' }],
      ['participantAttributes', { participantAttributes: { team: 'blue' } }],
      ['ttlSeconds as a string', { ttlSeconds: '60' }],
      [
        'agentName and agent_name',
        { room_config: { agents: [{ agentName: 'a', agent_name: 'a' }] } },
      ],
    ];

    it.each(connectionDetailsBodies)('for /connection-details with %s', (_label, body) => {
      expect(ajv.validate(connectionDetailsJson, body)).toBe(
        joiAccepts(connectionDetailsJoi, body),
      );
    });
  });

  describe('for a rule it cannot state', () => {
    it('refuses a custom rule without its JSON Schema counterpart, naming the field', () => {
      const schema = Joi.object({ code: Joi.string().custom((value: string) => value) });
      expect(() => jsonSchemaOf(schema)).toThrow(/^code: a \.custom\(\) rule without \.meta/);
    });

    it('takes the counterpart a custom rule carries', () => {
      const schema = Joi.object({
        code: Joi.string()
          .custom((value: string) => value)
          .meta({ jsonSchema: { maxLength: 8 } }),
      });
      expect(properties(jsonSchemaOf(schema)).code).toEqual({ type: 'string', maxLength: 8 });
    });

    it('refuses a pattern with flags JSON Schema has not', () => {
      const schema = Joi.object({ code: Joi.string().pattern(/abc/i) });
      expect(() => jsonSchemaOf(schema)).toThrow(/code: the pattern \/abc\/i has flags/);
    });
  });
});
