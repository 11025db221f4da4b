import type { TfResource } from './types';

export interface LocationDefaults {
  readonly region: string | undefined;
  readonly regionByAlias: Readonly<Record<string, string>>;
  readonly accountIdByAlias: Readonly<Record<string, string>>;
  readonly accountId: string | undefined;
}

export interface Location {
  readonly region: string | undefined;
  readonly accountId: string | undefined;
}

const ARN_ATTRIBUTES = ['arn', 'access_entry_arn', 'association_arn'];

/**
 * Where a resource lives. A state holds no provider configuration (provider aliases are only names), so the
 * region comes from the resource's ARN, its `region` attribute (AWS provider 6 and later) or --region; the account
 * from the ARN, `owner_id` (EC2) or --account-id. Undefined when none says: the caller decides whether that is an
 * error (IAM is global and needs no region).
 */
export function resolveLocation(r: TfResource, defaults: LocationDefaults): Location {
  let region: string | undefined;
  let accountId: string | undefined;
  for (const attr of ARN_ATTRIBUTES) {
    const arn = r.values[attr];
    if (typeof arn !== 'string') continue;
    const parts = arn.split(':');
    if (parts.length < 6 || parts[0] !== 'arn') continue;
    region ??= parts[3] === '' ? undefined : parts[3];
    accountId ??= /^\d{12}$/.test(parts[4] ?? '') ? parts[4] : undefined;
  }
  const attrRegion = r.values['region'];
  if (region === undefined && typeof attrRegion === 'string' && attrRegion !== '')
    region = attrRegion;
  const owner = r.values['owner_id'];
  if (accountId === undefined && typeof owner === 'string' && /^\d{12}$/.test(owner))
    accountId = owner;
  // A resource of an aliased provider configuration (`provider["…/aws"].west`) is in that configuration's region
  // and account, which the state does not hold: only `--region west=<r>` / `--account-id west=<id>` say them; the
  // default configuration's would be a guess (an adoption in the wrong region or account).
  const alias = providerAlias(r.provider);
  const fallbackRegion = alias === undefined ? defaults.region : defaults.regionByAlias[alias];
  const fallbackAccount =
    alias === undefined ? defaults.accountId : defaults.accountIdByAlias[alias];
  return { region: region ?? fallbackRegion, accountId: accountId ?? fallbackAccount };
}

/** `provider["registry.terraform.io/hashicorp/aws"].west` → `west`; undefined for the default configuration. */
export function providerAlias(provider: string): string | undefined {
  return /\]\.([A-Za-z_][A-Za-z0-9_-]*)$/.exec(provider)?.[1];
}
