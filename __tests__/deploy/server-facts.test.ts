// The facts the deployment tests check the files against must not contradict the server.
import { CONFIG_VARIABLES } from '../../server/src/config';
import { PENDING_VARIABLES } from './support/server-facts';

describe('PENDING_VARIABLES', () => {
  it('is empty: every variable the deployment files use is one the server reads', () => {
    expect(PENDING_VARIABLES).toEqual([]);
  });

  it('agrees with CONFIG_VARIABLES on whether each name it shares with it is secret', () => {
    const listed = new Map(CONFIG_VARIABLES.map(({ name, secret }) => [name, secret]));
    const contradicted = PENDING_VARIABLES.filter(
      ({ name, secret }) => listed.has(name) && listed.get(name) !== secret,
    );
    expect(contradicted).toEqual([]);
  });
});
