/**
 * What the upgrade controller needs from the world, as narrow ports: the ClusterUpgrade objects, Argo CD's
 * objects, Events, the generator's answers, EKS and Prometheus. reconcile.ts depends on these only; the modules
 * named in each comment implement them over HTTP.
 */
import type { UpgradeStatus } from './status';

/** A ClusterUpgrade as read (kube-stores.ts). */
export interface UpgradeObject {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly generation: number;
  readonly resourceVersion: string;
  readonly deleting: boolean;
  readonly spec: unknown;
  readonly status: UpgradeStatus;
}

export interface UpgradeStore {
  list(): Promise<UpgradeObject[]>;
  /**
   * Replaces the status subresource at the object's resourceVersion: 409 when anyone wrote the object since (another
   * controller, a spec edit), 404 when it was deleted. Either way nothing that followed may be done.
   */
  replaceStatus(obj: UpgradeObject, status: UpgradeStatus): Promise<UpgradeObject>;
}

/** An Argo CD Application, reduced to what the checks and gates read (kube-stores.ts). */
export interface ApplicationView {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The ApplicationSet that owns it (ownerReferences), if any. */
  readonly applicationSet: string | undefined;
  readonly destination: { readonly server?: string; readonly name?: string };
  readonly repoURL: string;
  readonly path: string;
  readonly syncStatus: string;
  readonly healthStatus: string;
  readonly revision: string;
  readonly reconciledAt: string | undefined;
  /** status.operationState.phase of the last sync, if any (Succeeded, Failed, Error, Running, Terminating). */
  readonly operationPhase: string | undefined;
  /** Hook resources of the last sync: kind/name, hook type and phase. */
  readonly hooks: readonly { name: string; hookType: string; hookPhase: string }[];
}

export interface PluginGeneratorRef {
  readonly configMap: string;
  readonly parameters: Record<string, unknown>;
}

export interface ApplicationSetView {
  readonly name: string;
  readonly pluginGenerators: readonly PluginGeneratorRef[];
}

export interface ArgoStore {
  applications(): Promise<ApplicationView[]>;
  applicationSets(): Promise<ApplicationSetView[]>;
  /** Sets the `argocd.argoproj.io/application-set-refresh` annotation (merge patch). */
  requestRefresh(applicationSet: string): Promise<void>;
}

export interface EventSink {
  emit(
    obj: UpgradeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void>;
}

/** A cluster as the generator serves it (generator-client.ts). */
export interface ServedCluster {
  readonly name: string;
  readonly server: string;
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly clusterName: string;
  readonly version: string;
  readonly status: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly upgrade: { readonly group: string; readonly color: string; readonly weight: string };
}

export interface GeneratorClient {
  /** The generator's answer to `input.parameters`; a non-2xx or shapeless answer throws. */
  clusters(parameters: Record<string, unknown>): Promise<ServedCluster[]>;
}

export interface ClusterRef {
  readonly accountId: string;
  readonly region: string;
  readonly clusterName: string;
}

export interface EksUpgradeApi {
  tagResource(cluster: ClusterRef & { arn: string }, tags: Record<string, string>): Promise<void>;
  /** Every add-on installed on the cluster with its version (ListAddons, DescribeAddon). */
  installedAddons(cluster: ClusterRef): Promise<{ name: string; version: string }[]>;
  /** Versions DescribeAddonVersions lists as compatible with the Kubernetes version. */
  compatibleVersions(
    cluster: ClusterRef,
    addon: string,
    kubernetesVersion: string,
  ): Promise<string[]>;
}

export interface PrometheusClient {
  /** One number from an instant query; throws on an unreachable server, an error answer, no or several series, NaN. */
  value(url: string, query: string): Promise<number>;
}
