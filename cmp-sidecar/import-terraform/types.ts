/** One managed resource instance of a Terraform state, as every state format is read into. */
export interface TfResource {
  /** The full address, `module.net.aws_subnet.private["a"]`: how Terraform and the report name it. */
  readonly address: string;
  readonly type: string;
  readonly name: string;
  /** `module.net` or '' for the root module. */
  readonly module: string;
  /** The count index or for_each key, when the resource has one. */
  readonly indexKey: string | number | undefined;
  /** The provider configuration address (`provider["registry.terraform.io/hashicorp/aws"].west`). */
  readonly provider: string;
  /** Attribute values with every sensitive value removed (see sensitive.ts). */
  readonly values: Readonly<Record<string, unknown>>;
  /** Attribute paths whose values were withheld as sensitive (`master_password`, `certificate_authority[0].data`). */
  readonly withheld: readonly string[];
}

export type Phase = 'observe' | 'adopt' | 'own';
export const PHASES: readonly Phase[] = ['observe', 'adopt', 'own'];

export type JsonObject = Record<string, unknown>;

/** A reference from one emitted object to another AWS resource: an ACK `*Ref` when it was imported too. */
export interface ReferenceNote {
  /** The spec field (`vpcRef`, `resourcesVPCConfig.subnetRefs[0]`). */
  readonly field: string;
  /** The AWS identifier referred to (an id, name or ARN; never a secret). */
  readonly target: string;
  /** The emitted object's name when resolved; undefined when it stays a literal. */
  readonly resolvedTo: string | undefined;
}

/** A Terraform attribute the ACK kind cannot express (or that was withheld), named for the report. */
export interface PartialNote {
  readonly attribute: string;
  readonly reason: string;
}

/** One ACK object built from one primary Terraform resource (and the auxiliary resources folded into it). */
export interface MappedObject {
  readonly address: string;
  /** Addresses of auxiliary resources folded into this object (rules, routes, attachments, associations). */
  readonly folded: readonly string[];
  readonly tfType: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly region: string | undefined;
  readonly accountId: string | undefined;
  readonly adoptionFields: Readonly<Record<string, string>>;
  readonly spec: JsonObject;
  readonly references: readonly ReferenceNote[];
  readonly partial: readonly PartialNote[];
}
