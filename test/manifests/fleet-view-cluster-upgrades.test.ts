import { clusterUpgradesOf } from '../../generator-service/fleet-view/sources/cluster-upgrades';
import { aClusterUpgradeMidStep } from '../helpers/cluster-upgrade';
import type { K8sObject } from './manifest-tree';
import { validateObject } from './schemas';

/*
 * The fleet view's ClusterUpgrade fixtures are objects the project's own CRD admits (schemas.ts closes every object
 * schema, so a field the CRD does not have fails), and the view reads them as the controller means them.
 */

describe('ClusterUpgrade objects the fleet view reads', () => {
  it('the mid-upgrade fixture (the shipped example spec, a controller-written status) passes the CRD schema', () => {
    expect(validateObject(aClusterUpgradeMidStep() as unknown as K8sObject)).toEqual({
      ok: true,
      via: 'crd',
    });
  });

  it('the fields the view used to read are not in the schema', () => {
    const o = aClusterUpgradeMidStep();
    const withOld = {
      ...o,
      spec: { ...(o['spec'] as object), upgradeGroup: 'prod-euw1' },
      status: { ...(o['status'] as object), currentStep: 2 },
    };
    expect(validateObject(withOld as unknown as K8sObject).ok).toBe(false);
  });

  it("a group's second upgrade moves traffic to the cluster tagged blue, and the view says so", () => {
    const o = aClusterUpgradeMidStep('checkout');
    const status = o['status'] as { pair: { blue: { color: string }; green: { color: string } } };
    status.pair.blue.color = 'green';
    status.pair.green.color = 'blue';
    expect(validateObject(o as unknown as K8sObject).ok).toBe(true);
    const read = clusterUpgradesOf({ items: [o] }).byGroup.get('checkout');
    expect(read?.movesTo).toEqual({ name: 'checkout-green', color: 'blue' });
  });
});
