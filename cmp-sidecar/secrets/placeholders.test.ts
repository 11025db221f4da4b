import { scanPlaceholders, PlaceholderSyntaxError } from './placeholders';
import type { Placeholder } from './placeholders';

const only = (s: string, opts = {}): Placeholder => {
  const seg = scanPlaceholders(s, opts);
  if (!seg || seg.length !== 1 || seg[0]!.kind !== 'placeholder')
    throw new Error('not one placeholder');
  return seg[0]!.placeholder;
};

describe('placeholder syntax (argocd-vault-plugin compatible)', () => {
  it.each([
    ['<path:prod/db#password>', 'prod/db', 'password', { kind: 'current' }],
    [
      '<path:prod/db#password#AWSPREVIOUS>',
      'prod/db',
      'password',
      { kind: 'stage', stage: 'AWSPREVIOUS' },
    ],
    ['<path:prod/db#password#AWSCURRENT>', 'prod/db', 'password', { kind: 'current' }],
    [
      '<path:prod/db#password#a1b2c3d4-90ab-cdef-fedc-ba9876543210>',
      'prod/db',
      'password',
      { kind: 'id', versionId: 'a1b2c3d4-90ab-cdef-fedc-ba9876543210' },
    ],
    [
      '<path:prod/db#k#uuid/v1v1v1v1v1v1v1v1v1v1v1v1v1v1v1v1>',
      'prod/db',
      'k',
      { kind: 'id', versionId: 'v1v1v1v1v1v1v1v1v1v1v1v1v1v1v1v1' },
    ],
    [
      '<path:arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf#user>',
      'arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf',
      'user',
      { kind: 'current' },
    ],
    ['<path:plain-token>', 'plain-token', undefined, { kind: 'current' }],
    ['< path:x#y >', undefined, undefined, undefined],
  ])('%s', (text, id, key, version) => {
    if (id === undefined) {
      expect(scanPlaceholders(text)).toBeUndefined();
      return;
    }
    const p = only(text);
    expect(p.ref).toEqual({ secretId: id, key, version });
    expect(p.raw).toBe(text);
  });

  it('splits mixed text and several placeholders on one line', () => {
    const seg = scanPlaceholders('postgres://<path:db#user>:<path:db#pass>@host:5432/app');
    expect(seg?.map((s) => (s.kind === 'text' ? s.text : s.placeholder.ref.key))).toEqual([
      'postgres://',
      'user',
      ':',
      'pass',
      '@host:5432/app',
    ]);
  });

  it('reads generic <key> placeholders only when avp.kubernetes.io/path is set', () => {
    expect(scanPlaceholders('see <KEY> here')).toBeUndefined();
    const p = only('<password>', { pathAnnotation: 'prod/db', versionAnnotation: 'AWSPREVIOUS' });
    expect(p.ref).toEqual({
      secretId: 'prod/db',
      key: 'password',
      version: { kind: 'stage', stage: 'AWSPREVIOUS' },
    });
  });

  it('parses modifiers with arguments', () => {
    const p = only('<path:db#creds | jsonPath {.user}{":"}{.pass} | base64encode>');
    expect(p.modifiers.map((m) => m.name)).toEqual(['jsonPath', 'base64encode']);
    const p2 = only('<path:db#cert | indent 4 | sha256sum>');
    expect(p2.modifiers).toEqual([{ name: 'indent', width: 4 }, { name: 'sha256sum' }]);
  });

  it('renders ids that use the cluster context', () => {
    const p = only('<path:{{cluster.env}}/db#password>', {
      templateId: (s: string) => s.replace('{{cluster.env}}', 'prod'),
    });
    expect(p.ref.secretId).toBe('prod/db');
  });

  it.each([
    ['<path:db#k | rot13>', /unknown modifier "rot13"/],
    ['<path:db#k | indent x>', /indent needs one whole number/],
    ['<path:db#k | base64encode 3>', /takes no arguments/],
    ['<path:db#k | jsonPath {.a[?(@.x)]}>', /not supported/],
    ['<path:#k>', /secret id is empty/],
    ['<path:a#b#c#d>', /expected/],
    ['<path:db#>', /key after '#' is empty/],
    ['<path:db##AWSPREVIOUS>', /key after '#' is empty/],
  ])('refuses %s', (text, message) => {
    expect(() => scanPlaceholders(text)).toThrow(PlaceholderSyntaxError);
    expect(() => scanPlaceholders(text)).toThrow(message);
  });
});
