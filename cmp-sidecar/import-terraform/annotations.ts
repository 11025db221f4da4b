import type { MappedObject, Phase } from './types';

/** The Terraform address of the resource an object was imported from. */
export const ADDRESS_ANNOTATION = 'argocd-eks-plugins.io/terraform-address';

export const ACK = {
  adoptionPolicy: 'services.k8s.aws/adoption-policy',
  adoptionFields: 'services.k8s.aws/adoption-fields',
  readOnly: 'services.k8s.aws/read-only',
  deletionPolicy: 'services.k8s.aws/deletion-policy',
  region: 'services.k8s.aws/region',
  ownerAccount: 'services.k8s.aws/owner-account-id',
} as const;

/**
 * The annotations of one imported object for a phase. Every phase adopts (ACK finds the live resource by the
 * adoption fields and never creates one) and retains on delete (deleting the object never deletes the AWS
 * resource; changing that is a human decision). `observe` adds read-only: ACK only reads while Terraform owns.
 */
export function phaseAnnotations(o: MappedObject, phase: Phase): Record<string, string> {
  const out: Record<string, string> = {
    [ADDRESS_ANNOTATION]: o.address,
    [ACK.adoptionPolicy]: 'adopt',
    [ACK.adoptionFields]: JSON.stringify(
      Object.fromEntries(
        Object.keys(o.adoptionFields)
          .sort()
          .map((k) => [k, o.adoptionFields[k]]),
      ),
    ),
    [ACK.deletionPolicy]: 'retain',
  };
  if (phase === 'observe') out[ACK.readOnly] = 'true';
  if (o.region !== undefined) out[ACK.region] = o.region;
  if (o.accountId !== undefined) out[ACK.ownerAccount] = o.accountId;
  return Object.fromEntries(
    Object.keys(out)
      .sort()
      .map((k) => [k, out[k]!]),
  );
}
