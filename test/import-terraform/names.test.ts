/** Object names: DNS labels, from the resource's own name or its address, disambiguated without depending on order. */
import {
  assignNames,
  nameFromAddress,
  sanitizeName,
} from '../../cmp-sidecar/import-terraform/names';

test('names are DNS labels; a long one is cut and keeps a hash of the whole', () => {
  expect(sanitizeName('Dev_VPC (main)')).toBe('dev-vpc-main');
  const long = sanitizeName(`${'a'.repeat(80)}`);
  expect(long).toHaveLength(63);
  expect(long).toMatch(/^a+-[0-9a-f]{8}$/);
  expect(sanitizeName(`${'a'.repeat(80)}b`)).not.toBe(long);
});

test('an address gives a name without the module keyword or the resource type', () => {
  expect(nameFromAddress('module.net.aws_subnet.private["eu-west-1.a"]')).toBe(
    'net-private--eu-west-1.a--',
  );
  expect(sanitizeName(nameFromAddress('module.net.aws_subnet.private["eu-west-1.a"]'))).toBe(
    'net-private-eu-west-1-a',
  );
  expect(sanitizeName(nameFromAddress('aws_nat_gateway.this[0]'))).toBe('this-0');
});

test('colliding names of one kind each get a suffix from their own address; other kinds may share a name', () => {
  const items = [
    { kind: 'SecurityGroup', address: 'module.a.aws_security_group.x', base: 'web' },
    { kind: 'SecurityGroup', address: 'module.b.aws_security_group.x', base: 'web' },
    { kind: 'Role', address: 'aws_iam_role.web', base: 'web' },
  ];
  const forward = assignNames(items);
  const backward = assignNames([...items].reverse());
  expect([...forward.names.entries()].sort()).toEqual([...backward.names.entries()].sort());
  expect(forward.names.get('aws_iam_role.web')).toBe('web');
  expect(forward.names.get('module.a.aws_security_group.x')).toMatch(/^web-[0-9a-f]{8}$/);
  expect(forward.names.get('module.a.aws_security_group.x')).not.toBe(
    forward.names.get('module.b.aws_security_group.x'),
  );
  expect(forward.disambiguated).toEqual([
    'module.a.aws_security_group.x',
    'module.b.aws_security_group.x',
  ]);
});
