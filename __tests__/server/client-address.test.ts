import { normaliseIp } from '../../server/src/client-address';

describe('normaliseIp', () => {
  it.each([
    ['10.9.9.9', '10.9.9.9'],
    ['10.9.9.9:1234', '10.9.9.9'],
    [' 10.9.9.9 ', '10.9.9.9'],
    ['::ffff:10.9.9.9', '10.9.9.9'],
    ['[::ffff:10.9.9.9]:443', '10.9.9.9'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['[2001:db8::1]:8080', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
  ])('writes %s as %s', (raw, expected) => {
    expect(normaliseIp(raw)).toBe(expected);
  });

  it.each([
    ['an IPv4 address with leading zeros, which parsers read differently', '010.9.9.9'],
    ['a host name', 'proxy.example.com'],
    ['made-up text', 'x'.repeat(16_000)],
    ['an empty string', ''],
    ['a port out of place', '2001:db8::1:99999x'],
  ])('refuses %s', (_label, raw) => {
    expect(normaliseIp(raw)).toBeUndefined();
  });
});
