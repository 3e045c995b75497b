import { editDistance, nearestField, snakeCaseOf } from '../../../server/src/schemas/near-misses';

const FIELDS = ['user_email', 'full_name', 'user_id', 'room_name', 'role'];
const NEAR_MISSES = new Map([
  ['email', 'user_email'],
  ['name', 'full_name'],
]);

describe('snakeCaseOf', () => {
  it.each([
    ['userEmail', 'user_email'],
    ['UserEmail', 'user_email'],
    ['userID', 'user_id'],
    ['USER_EMAIL', 'user_email'],
    ['user-email', 'user_email'],
    ['user email', 'user_email'],
    ['room_name', 'room_name'],
  ])('spells %s as %s', (key, spelled) => {
    expect(snakeCaseOf(key)).toBe(spelled);
  });
});

describe('editDistance', () => {
  it.each([
    ['room_name', 'room_name', 0],
    ['room_nme', 'room_name', 1],
    ['rom_nme', 'room_name', 2],
    ['room_name_x', 'room_name', 2],
    ['kitten', 'sitting', 3],
  ])('of %s and %s, up to 3, is %d', (from, to, distance) => {
    expect(editDistance(from, to, 3)).toBe(distance);
    expect(editDistance(to, from, 3)).toBe(distance);
  });

  it('stops at max + 1 once the distance is certainly more', () => {
    expect(editDistance('abcdef', 'uvwxyz', 2)).toBe(3);
    expect(editDistance('a'.repeat(10_000), 'room_name', 2)).toBe(3);
  });
});

describe('nearestField', () => {
  it.each([
    ['userEmail', 'user_email'],
    ['Full-Name', 'full_name'],
    ['email', 'user_email'],
    ['Name', 'full_name'],
    ['room_nme', 'room_name'],
    ['ROOMNAME', 'room_name'],
    ['roles', 'role'],
  ])('takes %s for %s', (key, field) => {
    expect(nearestField(key, FIELDS, NEAR_MISSES)).toBe(field);
  });

  it.each(['colour', 'agents', 'x', '__proto__', 'e'.repeat(65)])('has no hint for %s', (key) => {
    expect(nearestField(key, FIELDS, NEAR_MISSES)).toBeUndefined();
  });

  it('takes the closest field, the first declared on a tie', () => {
    expect(nearestField('ab', ['abcd', 'abc'], new Map())).toBe('abc');
    expect(nearestField('abx', ['aby', 'abz'], new Map())).toBe('aby');
  });

  it('names only fields it is given, whatever the near misses say of others', () => {
    expect(nearestField('user_email', ['agent_name'], new Map())).toBeUndefined();
  });
});
