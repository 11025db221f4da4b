/**
 * The controller's EKS calls: TagResource (the weights, the retired mark), ListAddons, DescribeAddon and
 * DescribeAddonVersions (the add-on pre-check). A cluster in another account is reached through the role
 * UPGRADE_ROLE_ARN names for it (`{{accountId}}` filled), as the discovery reaches member accounts.
 */
import {
  DescribeAddonCommand,
  EKSClient,
  paginateDescribeAddonVersions,
  paginateListAddons,
  TagResourceCommand,
} from '@aws-sdk/client-eks';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider, RetryStrategyV2 } from '@smithy/types';
import { describeError, UpgradeError } from '../../core/errors';
import type { ClusterRef, EksUpgradeApi } from './ports';

export interface EksUpgradeSettings {
  /** `arn:aws:iam::{{accountId}}:role/...`, or undefined to use the Pod's own identity everywhere. */
  readonly roleArnTemplate: string | undefined;
  readonly callTimeoutMs: number;
  readonly retryStrategy?: RetryStrategyV2;
}

export function sdkEksUpgradeApi(settings: EksUpgradeSettings): EksUpgradeApi & { close(): void } {
  const own = fromNodeProviderChain();
  const credentials = new Map<string, AwsCredentialIdentityProvider>();
  const clients = new Map<string, EKSClient>();
  const client = (c: ClusterRef): EKSClient => {
    const key = `${c.accountId}/${c.region}`;
    let eks = clients.get(key);
    if (eks === undefined) {
      let creds = own;
      if (settings.roleArnTemplate !== undefined) {
        const roleArn = settings.roleArnTemplate.replace(/\{\{\s*accountId\s*\}\}/g, c.accountId);
        creds =
          credentials.get(roleArn) ??
          fromTemporaryCredentials({
            params: { RoleArn: roleArn, RoleSessionName: 'argocd-eks-upgrade-controller' },
            masterCredentials: own,
            clientConfig: { region: c.region },
          });
        credentials.set(roleArn, creds);
      }
      eks = new EKSClient({
        region: c.region,
        credentials: creds,
        requestHandler: {
          requestTimeout: settings.callTimeoutMs,
          throwOnRequestTimeout: true,
          socketTimeout: settings.callTimeoutMs,
        },
        ...(settings.retryStrategy === undefined ? {} : { retryStrategy: settings.retryStrategy }),
      });
      clients.set(key, eks);
    }
    return eks;
  };
  const fail = (what: string, e: unknown): never => {
    throw new UpgradeError(`${what}: ${describeError(e).split('\n')[0] ?? ''}`, { cause: e });
  };

  return {
    tagResource: async (c, tags) => {
      try {
        await client(c).send(new TagResourceCommand({ resourceArn: c.arn, tags }));
      } catch (e) {
        fail(`EKS TagResource ${c.arn}`, e);
      }
    },
    installedAddons: async (c) => {
      const out: { name: string; version: string }[] = [];
      try {
        const names: string[] = [];
        for await (const page of paginateListAddons(
          { client: client(c) },
          { clusterName: c.clusterName },
        )) {
          if (!Array.isArray(page.addons)) throw new Error('ListAddons answered without addons');
          names.push(...page.addons);
        }
        for (const name of names) {
          const d = await client(c).send(
            new DescribeAddonCommand({ clusterName: c.clusterName, addonName: name }),
          );
          const version = d.addon?.addonVersion;
          if (typeof version !== 'string' || version === '') {
            throw new Error(`DescribeAddon ${name} answered without addonVersion`);
          }
          out.push({ name, version });
        }
      } catch (e) {
        fail(`EKS add-ons of ${c.clusterName} (${c.accountId}/${c.region})`, e);
      }
      return out;
    },
    compatibleVersions: async (c, addon, kubernetesVersion) => {
      const versions: string[] = [];
      try {
        for await (const page of paginateDescribeAddonVersions(
          { client: client(c) },
          { addonName: addon, kubernetesVersion },
        )) {
          if (!Array.isArray(page.addons))
            throw new Error('DescribeAddonVersions answered without addons');
          for (const a of page.addons) {
            if (a.addonName !== addon) continue;
            for (const v of a.addonVersions ?? []) {
              const compatible = (v.compatibilities ?? []).some(
                (x) => x.clusterVersion === kubernetesVersion,
              );
              if (compatible && v.addonVersion) versions.push(v.addonVersion);
            }
          }
        }
      } catch (e) {
        fail(`EKS DescribeAddonVersions ${addon} for Kubernetes ${kubernetesVersion}`, e);
      }
      return versions;
    },
    close: () => {
      for (const c of clients.values()) c.destroy();
      clients.clear();
    },
  };
}
