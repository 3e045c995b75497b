import {
  BUILT_IN_ROLES,
  DEFAULT_ROLE,
  grantFor,
  parseRolesFile,
  type RoleGrant,
} from '../../server/src/roles';
import { EXPECTED_ROLE_GRANTS } from '../support/fixtures';

const {
  participant: PARTICIPANT_GRANT,
  viewer: VIEWER_GRANT,
  host: HOST_GRANT,
} = EXPECTED_ROLE_GRANTS;

/** Parses a ROLES_FILE text, answering the roles and every problem reported. */
function parse(text: string): { roles: Map<string, RoleGrant>; problems: string[] } {
  const problems: string[] = [];
  const roles = parseRolesFile(text, problems);
  return { roles, problems };
}

/** Parses a ROLES_FILE given as a value, answering only the problems. */
function problemsOf(file: unknown): string[] {
  return parse(JSON.stringify(file)).problems;
}

describe('BUILT_IN_ROLES', () => {
  it('are participant, viewer and host', () => {
    expect([...BUILT_IN_ROLES.keys()].sort()).toEqual(['host', 'participant', 'viewer']);
  });

  it('let a participant join, publish, subscribe and update its own metadata', () => {
    expect(BUILT_IN_ROLES.get('participant')).toEqual(PARTICIPANT_GRANT);
  });

  it('let a viewer join and subscribe, and publish neither tracks nor data', () => {
    // canPublishData must be false, not left out: LiveKit lets a participant publish data
    // unless the grant says otherwise.
    expect(BUILT_IN_ROLES.get('viewer')).toEqual(VIEWER_GRANT);
  });

  it("give a host a participant's grants plus roomAdmin and roomRecord", () => {
    expect(BUILT_IN_ROLES.get('host')).toEqual(HOST_GRANT);
  });

  it('set no room: each request names its own', () => {
    for (const grant of BUILT_IN_ROLES.values()) expect(grant).not.toHaveProperty('room');
  });
});

describe('DEFAULT_ROLE', () => {
  it('is participant', () => {
    expect(DEFAULT_ROLE).toBe('participant');
  });
});

describe('grantFor', () => {
  it("answers the role's grant for the room", () => {
    expect(grantFor(VIEWER_GRANT, 'physics-101')).toEqual({ ...VIEWER_GRANT, room: 'physics-101' });
  });

  it('adds roomJoin when the role leaves it out', () => {
    expect(grantFor({ canSubscribe: true }, 'physics-101')).toEqual({
      canSubscribe: true,
      roomJoin: true,
      room: 'physics-101',
    });
  });

  it('leaves the role it is given unchanged', () => {
    const role: RoleGrant = { canSubscribe: true };
    grantFor(role, 'physics-101');
    expect(role).toEqual({ canSubscribe: true });
  });
});

describe('parseRolesFile', () => {
  describe('with valid custom roles', () => {
    const { roles, problems } = parse(
      JSON.stringify({
        moderator: { canPublish: true, canSubscribe: true, roomAdmin: true },
        presenter: {
          roomJoin: true,
          canPublishSources: ['camera', 'microphone', 'screen_share', 'screen_share_audio'],
          canSubscribe: true,
        },
        'stage_hand-2': {},
      }),
    );

    it('reports no problem', () => {
      expect(problems).toEqual([]);
    });

    it('answers the built-in roles and the file roles, each with the grant written', () => {
      expect(Object.fromEntries(roles)).toEqual({
        participant: PARTICIPANT_GRANT,
        viewer: VIEWER_GRANT,
        host: HOST_GRANT,
        moderator: { canPublish: true, canSubscribe: true, roomAdmin: true },
        presenter: {
          roomJoin: true,
          canPublishSources: ['camera', 'microphone', 'screen_share', 'screen_share_audio'],
          canSubscribe: true,
        },
        'stage_hand-2': {},
      });
    });
  });

  describe('with a role setting every LiveKit grant field', () => {
    const everyField = {
      roomCreate: false,
      roomJoin: true,
      roomList: false,
      roomRecord: true,
      roomAdmin: true,
      canPublish: true,
      canSubscribe: true,
      canPublishData: true,
      canUpdateOwnMetadata: true,
      hidden: false,
      recorder: false,
      ingressAdmin: false,
      canPublishSources: ['screen_share'],
      agent: false,
      canSubscribeMetrics: true,
      canManageAgentSession: true,
      destinationRoom: 'overflow-room',
    };

    it('takes the role as written', () => {
      const { roles, problems } = parse(JSON.stringify({ everything: everyField }));
      expect(problems).toEqual([]);
      expect(roles.get('everything')).toEqual(everyField);
    });
  });

  describe('with a role named like a built-in role', () => {
    const { roles, problems } = parse(
      JSON.stringify({ viewer: { canSubscribe: true, canPublish: false } }),
    );

    it('redefines that role and keeps the others', () => {
      expect(problems).toEqual([]);
      expect(roles.get('viewer')).toEqual({ canSubscribe: true, canPublish: false });
      expect(roles.get('participant')).toEqual(PARTICIPANT_GRANT);
      expect(roles.get('host')).toEqual(HOST_GRANT);
    });

    it('leaves BUILT_IN_ROLES as they were', () => {
      expect(BUILT_IN_ROLES.get('viewer')).toEqual(VIEWER_GRANT);
    });
  });

  describe('with an empty object', () => {
    it('answers exactly the built-in roles', () => {
      const { roles, problems } = parse('{}');
      expect(problems).toEqual([]);
      expect(Object.fromEntries(roles)).toEqual({
        participant: PARTICIPANT_GRANT,
        viewer: VIEWER_GRANT,
        host: HOST_GRANT,
      });
    });
  });

  describe('with text that is not JSON', () => {
    it.each([[''], ['{"moderator": {"canPublish": true,}}'], ['moderator: {canPublish: true}']])(
      'reports %j as not valid JSON, and answers the built-in roles',
      (text) => {
        const { roles, problems } = parse(text);
        expect(problems).toEqual([expect.stringMatching(/^ROLES_FILE is not valid JSON \(.+\)$/)]);
        expect([...roles.keys()].sort()).toEqual(['host', 'participant', 'viewer']);
      },
    );
  });

  describe('with JSON that is not an object', () => {
    it.each([['[]'], ['[{"moderator": {}}]'], ['"moderator"'], ['null'], ['42'], ['true']])(
      'reports %s',
      (text) => {
        expect(parse(text).problems).toEqual([
          'ROLES_FILE must hold a JSON object of role name to video-grant fields',
        ]);
      },
    );
  });

  describe('with a role that is not an object', () => {
    it.each([[true], [null], ['host'], [['canPublish']], [1]])(
      'reports the role given as %j and leaves it out',
      (grant) => {
        const { roles, problems } = parse(JSON.stringify({ moderator: grant }));
        expect(problems).toEqual([
          'ROLES_FILE: role "moderator" must be an object of video-grant fields',
        ]);
        expect(roles.has('moderator')).toBe(false);
      },
    );
  });

  describe('with a bad role name', () => {
    it.each([
      [''],
      ['-moderator'],
      ['_moderator'],
      ['stage hand'],
      ['stage.hand'],
      ['modérateur'],
      ['__proto__'],
    ])('reports %j and leaves it out', (name) => {
      const { roles, problems } = parse(`{${JSON.stringify(name)}: {"canSubscribe": true}}`);
      expect(problems).toEqual([
        `ROLES_FILE: ${JSON.stringify(name)} is not a usable role name (letters, digits, _ and -, up to 64)`,
      ]);
      expect(roles.has(name)).toBe(false);
    });

    it('reports a name over 64 characters by its length only: it could be a secret', () => {
      const name = 'a'.repeat(65);
      const { roles, problems } = parse(JSON.stringify({ [name]: {} }));
      expect(problems).toEqual([
        'ROLES_FILE: a name of 65 characters (not shown) is not a usable role name (letters, digits, _ and -, up to 64)',
      ]);
      expect(roles.has(name)).toBe(false);
    });

    it('takes a name of 64 characters', () => {
      const name = `M${'a'.repeat(63)}`;
      const { roles, problems } = parse(JSON.stringify({ [name]: {} }));
      expect(problems).toEqual([]);
      expect(roles.has(name)).toBe(true);
    });
  });

  describe('with a field that is not a LiveKit video grant', () => {
    // LiveKit ignores unknown grant fields: a typo would silently grant something else.
    it.each([
      ['canPublsh'],
      ['can_publish'],
      ['CanPublish'],
      ['admin'],
      ['toString'],
      ['can\nPublish'],
      ['__proto__'],
    ])('reports %s, naming the role and the field, and leaves the role out', (field) => {
      const { roles, problems } = parse(
        `{"presenter": {"canSubscribe": true, ${JSON.stringify(field)}: true}}`,
      );
      expect(problems).toEqual([
        `ROLES_FILE: role "presenter" has ${JSON.stringify(field)}, which is not a LiveKit video grant`,
      ]);
      expect(roles.has('presenter')).toBe(false);
    });
  });

  describe('with room in a role', () => {
    it('reports it: each request chooses its room', () => {
      expect(problemsOf({ moderator: { room: 'lobby', roomAdmin: true } })).toEqual([
        'ROLES_FILE: role "moderator" sets room, which each request chooses; leave it out',
      ]);
    });
  });

  describe('with roomJoin other than true', () => {
    it.each([[false], ['true'], [1], [null]])('reports roomJoin %j', (roomJoin) => {
      expect(problemsOf({ lurker: { roomJoin, canSubscribe: true } })).toEqual([
        'ROLES_FILE: role "lurker": roomJoin must be true: every role joins its room',
      ]);
    });
  });

  describe('with a grant field of the wrong type', () => {
    it.each([
      ['canPublish', 'true'],
      ['canSubscribe', 1],
      ['roomAdmin', null],
      ['hidden', 'false'],
      ['agent', {}],
      ['canPublishData', [true]],
    ])('reports %s given as %j', (field, value) => {
      expect(problemsOf({ moderator: { [field]: value } })).toEqual([
        `ROLES_FILE: role "moderator": ${field} must be true or false`,
      ]);
    });

    it.each([[42], [''], ['   '], [null], [['overflow']]])(
      'reports destinationRoom given as %j',
      (destinationRoom) => {
        expect(problemsOf({ relay: { destinationRoom } })).toEqual([
          'ROLES_FILE: role "relay": destinationRoom must be a room name',
        ]);
      },
    );
  });

  describe('with bad canPublishSources', () => {
    const sourcesProblem =
      'ROLES_FILE: role "presenter": canPublishSources must be a list of distinct track sources (camera, microphone, screen_share, screen_share_audio)';

    it.each([
      ['a string', 'camera'],
      ['an unknown source', ['camera', 'webcam']],
      ["LiveKit's enum spelling", ['CAMERA']],
      ['a duplicate', ['camera', 'microphone', 'camera']],
      ['a number', [1]],
      ['an object', { camera: true }],
      ['null', null],
    ])('reports %s', (_label, canPublishSources) => {
      expect(problemsOf({ presenter: { canPublishSources } })).toEqual([sourcesProblem]);
    });
  });

  describe('with several problems', () => {
    const { roles, problems } = parse(
      JSON.stringify({
        presenter: { canPublsh: true, room: 'stage', roomJoin: false },
        'bad name': {},
        lurker: 'viewer',
        relay: { destinationRoom: 7, canPublishSources: ['camera', 'camera'] },
        moderator: { canPublish: true, roomAdmin: true },
      }),
    );

    it('reports every one of them at once, in file order', () => {
      expect(problems).toEqual([
        'ROLES_FILE: role "presenter" has "canPublsh", which is not a LiveKit video grant',
        'ROLES_FILE: role "presenter" sets room, which each request chooses; leave it out',
        'ROLES_FILE: role "presenter": roomJoin must be true: every role joins its room',
        'ROLES_FILE: "bad name" is not a usable role name (letters, digits, _ and -, up to 64)',
        'ROLES_FILE: role "lurker" must be an object of video-grant fields',
        'ROLES_FILE: role "relay": destinationRoom must be a room name',
        'ROLES_FILE: role "relay": canPublishSources must be a list of distinct track sources (camera, microphone, screen_share, screen_share_audio)',
      ]);
    });

    it('leaves out every role with a problem', () => {
      expect([...roles.keys()].sort()).toEqual(['host', 'moderator', 'participant', 'viewer']);
    });
  });

  it('adds its problems to those already reported', () => {
    const problems = ['TOKEN_SERVER_PORT must be a whole number from 0 to 65535 (got "x")'];
    parseRolesFile('{"presenter": {"canPublsh": true}}', problems);
    expect(problems).toEqual([
      'TOKEN_SERVER_PORT must be a whole number from 0 to 65535 (got "x")',
      'ROLES_FILE: role "presenter" has "canPublsh", which is not a LiveKit video grant',
    ]);
  });
});
