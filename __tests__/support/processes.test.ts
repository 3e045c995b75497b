import { signalChildOf, startProcess } from './processes';

describe('signalChildOf', () => {
  it('refuses a missing pid, pid 0 (our own process group) and negative pids', () => {
    for (const pid of [undefined, 0, -1, 1.5]) {
      expect(() => signalChildOf(process.pid, pid, 'SIGKILL')).toThrow(/not a process id/);
    }
  });

  it('refuses a process that is not a child of the given parent', () => {
    // Our own process is a child of jest's parent, never of itself.
    expect(() => signalChildOf(process.pid, process.pid, 'SIGKILL')).toThrow(/its parent is/);
  });

  it('signals a real child of the given parent', async () => {
    const child = startProcess(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      env: { PATH: process.env.PATH ?? '' },
    });
    // The child is ours: jest's worker is its parent.
    signalChildOf(process.pid, child.child.pid, 'SIGKILL');
    const result = await child.exited();
    expect(result.signal).toBe('SIGKILL');
  });
});
