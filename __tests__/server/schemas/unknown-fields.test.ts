import Joi from 'joi';
import { unknownFields } from '../../../server/src/schemas/unknown-fields';
import { tokenBodySchema } from '../../../server/src/schemas/token-body';
import { connectionDetailsBodySchema } from '../../../server/src/schemas/connection-details-body';
import { testConfig } from '../../support/fixtures';

const config = testConfig();
const tokenSchema = tokenBodySchema(config);

describe('unknownFields', () => {
  it('finds nothing in a body of known fields', () => {
    const body = {
      user_email: 'ada@example.com',
      full_name: 'Ada',
      attributes: { anything: 'goes', here: 'too' },
      room_config: { agents: [{ agent_name: 'a' }] },
    };
    expect(unknownFields(tokenSchema, body, 20)).toEqual({
      problems: [],
      count: 0,
      overlongList: false,
    });
  });

  it('names unknown fields at every level, with their paths', () => {
    const body = { extra: 1, room_config: { egress: {}, agents: [{ agent_name: 'a', x: 1 }] } };
    expect(unknownFields(tokenSchema, body, 20).problems).toEqual([
      { field: 'extra', message: 'extra is not an accepted field' },
      { field: 'room_config.egress', message: 'room_config.egress is not an accepted field' },
      {
        field: 'room_config.agents.0.x',
        message: 'room_config.agents[0].x is not an accepted field',
      },
    ]);
  });

  it('hints at the field of the same object a near miss meant', () => {
    const body = {
      email: 'ada@example.com',
      room_config: { agent: [], agents: [{ agentNme: 'a' }] },
    };
    expect(unknownFields(tokenSchema, body, 20).problems).toEqual([
      { field: 'email', message: 'email is not an accepted field; did you mean user_email?' },
      {
        field: 'room_config.agent',
        message: 'room_config.agent is not an accepted field; did you mean agents?',
      },
      {
        field: 'room_config.agents.0.agentNme',
        message:
          'room_config.agents[0].agentNme is not an accepted field; did you mean agent_name?',
      },
    ]);
  });

  it("takes the near misses of a schema's meta, and only for that schema", () => {
    const detailsSchema = connectionDetailsBodySchema(config);
    expect(unknownFields(detailsSchema, { name: 'Ada' }, 20).problems).toEqual([
      { field: 'name', message: 'name is not an accepted field; did you mean participant_name?' },
    ]);
    const plain = Joi.object({ full_name: Joi.string() });
    expect(unknownFields(plain, { name: 'Ada' }, 20).problems).toEqual([
      { field: 'name', message: 'name is not an accepted field' },
    ]);
  });

  it('sees a key named __proto__, which JSON.parse keeps as an own key', () => {
    const body = JSON.parse('{"user_email":"ada@example.com","__proto__":{"x":1}}') as unknown;
    expect(unknownFields(tokenSchema, body, 20).problems).toEqual([
      { field: '__proto__', message: '__proto__ is not an accepted field' },
    ]);
  });

  it('takes the camelCase spellings a schema renames as known', () => {
    const schema = connectionDetailsBodySchema(config);
    expect(unknownFields(schema, { roomName: 'r', participantIdentity: 'p' }, 20).count).toBe(0);
  });

  it('refuses a list longer than its schema allows without looking inside', () => {
    const agents = Array.from({ length: 20_000 }, () => ({ nope: 1 }));
    expect(unknownFields(tokenSchema, { room_config: { agents } }, 20)).toEqual({
      problems: [
        { field: 'room_config.agents', message: 'room_config.agents must have at most 8 entries' },
      ],
      count: 1,
      overlongList: true,
    });
  });

  it('words at most `keep` problems and counts all of them', () => {
    const body = Object.fromEntries(Array.from({ length: 22_000 }, (_, index) => [`k${index}`, 1]));
    const { problems, count } = unknownFields(tokenSchema, body, 20);
    expect(problems).toHaveLength(20);
    expect(count).toBe(22_000);
  });

  it('leaves values of the wrong type to Joi', () => {
    expect(unknownFields(tokenSchema, { room_config: 'text', attributes: [] }, 20).count).toBe(0);
    expect(unknownFields(Joi.object({ a: Joi.string() }), 'not an object', 20).count).toBe(0);
  });
});
