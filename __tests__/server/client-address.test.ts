import { budgetAddressOf, normaliseIp } from '../../server/src/client-address';

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
    ['::ffff:a09:909', '10.9.9.9'],
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

describe('budgetAddressOf', () => {
  it.each([
    // The keys express-rate-limit's ipKeyGenerator made, so that Redis budgets carry over.
    ['10.9.9.9', '10.9.9.9'],
    ['2001:db8:abcd:12ff::1', '2001:db8:abcd:1200::/56'],
    ['2001:db8:abcd:12ff:ffff:ffff:ffff:ffff', '2001:db8:abcd:1200::/56'],
    ['::1', '::/56'],
    ['fe80::1', 'fe80::/56'],
    ['2001:db8::', '2001:db8::/56'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ff00::/56'],
    ['1::', '1::/56'],
  ])('keys %s as %s', (address, key) => {
    expect(budgetAddressOf(address)).toBe(key);
  });

  it('gives every address of one /56 one key, and the next /56 another', () => {
    const inside = ['2001:db8:1:200::1', '2001:db8:1:2ff:ffff::9', '2001:db8:1:2aa::'];
    expect(new Set(inside.map(budgetAddressOf))).toEqual(new Set(['2001:db8:1:200::/56']));
    expect(budgetAddressOf('2001:db8:1:300::1')).toBe('2001:db8:1:300::/56');
  });
});
