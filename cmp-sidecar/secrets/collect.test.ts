import { scanObject } from './collect';
import { PlaceholderSyntaxError } from './placeholders';

const secret = (extra: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's' },
  ...extra,
});

describe('finding placeholders in an object', () => {
  it('walks nested maps and lists, skipping avp.kubernetes.io/* annotations', () => {
    const scan = scanObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'd',
        annotations: { 'avp.kubernetes.io/path': 'x', 'checksum/s': '<path:a#b | sha256sum>' },
      },
      spec: { template: { spec: { containers: [{ env: [{ name: 'A', value: '<k>' }] }] } } },
    });
    expect(scan.occurrences.map((o) => o.path)).toEqual([
      ['metadata', 'annotations', 'checksum/s'],
      ['spec', 'template', 'spec', 'containers', 0, 'env', 0, 'value'],
    ]);
  });

  it('leaves objects with avp.kubernetes.io/ignore: "true" alone', () => {
    const scan = scanObject(
      secret({
        metadata: { name: 's', annotations: { 'avp.kubernetes.io/ignore': 'true' } },
        stringData: { a: '<path:x#y>' },
      }),
    );
    expect(scan).toEqual({ ignored: true, occurrences: [] });
  });

  it('decodes base64 Secret data that holds placeholders (kustomize secretGenerator)', () => {
    const wrapped = Buffer.from('a=<path:x#y>').toString('base64');
    const scan = scanObject(
      secret({ data: { env: wrapped, plain: Buffer.from('no placeholder').toString('base64') } }),
    );
    expect(scan.occurrences).toHaveLength(1);
    expect(scan.occurrences[0]).toMatchObject({ path: ['data', 'env'], base64Wrapped: true });
  });

  it('refuses avp.kubernetes.io/remove-missing (eks-overlay fails closed instead)', () => {
    expect(() =>
      scanObject(
        secret({
          metadata: { name: 's', annotations: { 'avp.kubernetes.io/remove-missing': 'true' } },
        }),
      ),
    ).toThrow(PlaceholderSyntaxError);
  });
});
