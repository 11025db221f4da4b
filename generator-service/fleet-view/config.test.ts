import { loadFleetViewConfig } from './config';

/* FLEET_VIEW_* read once with the service's configuration; every problem reported at once. */

const LISTEN = { port: 4355, host: '0.0.0.0' };

function load(env: NodeJS.ProcessEnv) {
  const issues: string[] = [];
  return { config: loadFleetViewConfig(env, LISTEN, issues), issues };
}

describe('fleet view configuration', () => {
  it('is off by default', () => {
    expect(load({})).toEqual({ config: undefined, issues: [] });
    expect(load({ FLEET_VIEW_TOKEN: 'x' })).toEqual({ config: undefined, issues: [] });
  });

  it('needs its own token and its own port', () => {
    const { config, issues } = load({ FLEET_VIEW: 'true', FLEET_VIEW_PORT: '4355' });
    expect(config).toBeUndefined();
    expect(issues).toEqual([
      'FLEET_VIEW_PORT: 4355 is the getparams port (PORT); the fleet view needs its own port',
      'FLEET_VIEW_TOKEN_FILE: required with FLEET_VIEW=true (or FLEET_VIEW_TOKEN): the view has its own viewer token',
    ]);
  });

  it("refuses the generator's token as the viewer token, and both token forms at once", () => {
    expect(
      load({
        FLEET_VIEW: 'true',
        FLEET_VIEW_TOKEN: 'the-same-long-token',
        GENERATOR_TOKEN: 'the-same-long-token',
      }).issues,
    ).toEqual([
      "FLEET_VIEW_TOKEN: equals GENERATOR_TOKEN; the viewer token must differ from the generator's token",
    ]);
    expect(
      load({ FLEET_VIEW: 'true', FLEET_VIEW_TOKEN: 'a', FLEET_VIEW_TOKEN_FILE: '/t' }).issues,
    ).toEqual(['FLEET_VIEW_TOKEN and FLEET_VIEW_TOKEN_FILE are both set; set only one']);
  });

  it('refuses a viewer token shorter than 16 characters, naming the variable', () => {
    expect(load({ FLEET_VIEW: 'true', FLEET_VIEW_TOKEN: 'fifteen-chars-x' }).issues).toEqual([
      'FLEET_VIEW_TOKEN: the viewer token has 15 characters; it needs at least 16',
    ]);
    expect(load({ FLEET_VIEW: 'true', FLEET_VIEW_TOKEN: 'sixteen-chars-xx' }).issues).toEqual([]);
  });

  it('reads every setting, with the upgrades namespace defaulting to the Pod namespace', () => {
    const { config, issues } = load({
      FLEET_VIEW: 'true',
      FLEET_VIEW_TOKEN_FILE: '/var/run/fleet-view/token',
      FLEET_VIEW_REGISTRAR_URL: 'http://eks-cluster-registrar:4356/',
      POD_NAMESPACE: 'argocd',
      FLEET_VIEW_SESSION_SECONDS: '600',
    });
    expect(issues).toEqual([]);
    expect(config).toEqual({
      port: 4358,
      host: '0.0.0.0',
      token: { kind: 'file', path: '/var/run/fleet-view/token' },
      sessionMs: 600_000,
      registrarUrl: 'http://eks-cluster-registrar:4356',
      registrarTokenFile: undefined,
      upgradesNamespace: 'argocd',
      sourceTtlMs: 30_000,
    });
  });

  it('reports bad values together', () => {
    const { issues } = load({
      FLEET_VIEW: 'yes',
    });
    expect(issues).toEqual(['FLEET_VIEW: "yes" must be true or false']);
    expect(
      load({
        FLEET_VIEW: 'true',
        FLEET_VIEW_TOKEN: 'a-viewer-token-long-enough',
        FLEET_VIEW_REGISTRAR_URL: 'eks-cluster-registrar:4356',
        FLEET_VIEW_UPGRADES_NAMESPACE: 'Argo_CD',
        FLEET_VIEW_SESSION_SECONDS: '5',
      }).issues,
    ).toHaveLength(3);
  });
});
