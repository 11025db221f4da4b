import type { EnvVar } from '../../core/env-vars';
import { boolFromEnv, intFromEnv } from '../../core/env-vars';

/** Where the viewer token comes from (the same two forms as the generator's token). */
export type TokenConfig =
  | { readonly kind: 'env'; readonly value: string }
  | { readonly kind: 'file'; readonly path: string };

/** The fleet view's settings (generator-service/fleet-view/README.md); absent unless FLEET_VIEW=true. */
export interface FleetViewConfig {
  readonly port: number;
  readonly host: string;
  readonly token: TokenConfig;
  /** How long a login session lasts. */
  readonly sessionMs: number;
  /** The registrar's status endpoint base URL (`http://eks-cluster-registrar:4356`); undefined: not installed. */
  readonly registrarUrl: string | undefined;
  /** File with the token the registrar's status asks for; undefined: the generator's own token. */
  readonly registrarTokenFile: string | undefined;
  /** Namespace of the ClusterUpgrade objects; undefined: not read (shown as not installed). */
  readonly upgradesNamespace: string | undefined;
  /** How long a read of the registrar or of ClusterUpgrades is reused before it is read again. */
  readonly sourceTtlMs: number;
}

export const FLEET_VIEW_DEFAULTS = {
  port: 4358,
  sessionSeconds: 8 * 3600,
  sourceTtlSeconds: 30,
} as const;

export const FLEET_VIEW_ENV_VARS = [
  {
    name: 'FLEET_VIEW',
    default: false,
    description:
      '`true`: serve the fleet view (`GET /fleet`, `GET /api/v1/fleet`) on its own port, behind its own viewer token ([fleet view](../generator-service/fleet-view/README.md)).',
  },
  {
    name: 'FLEET_VIEW_PORT',
    default: FLEET_VIEW_DEFAULTS.port,
    description: "Port of the fleet view; must differ from `PORT` (getparams' port).",
  },
  {
    name: 'FLEET_VIEW_HOST',
    defaultNote: '`HOST`',
    description: 'Listen address of the fleet view.',
  },
  {
    name: 'FLEET_VIEW_TOKEN_FILE',
    defaultNote: '— (required with `FLEET_VIEW=true`, or `FLEET_VIEW_TOKEN`)',
    description:
      "File holding the viewer token (a mounted Secret, re-read when it changes). Never the generator's token: that one is refused.",
  },
  {
    name: 'FLEET_VIEW_TOKEN',
    description: 'The viewer token itself (local use; prefer the file). Setting both is an error.',
  },
  {
    name: 'FLEET_VIEW_SESSION_SECONDS',
    default: FLEET_VIEW_DEFAULTS.sessionSeconds,
    description:
      'Lifetime of a login session (the HttpOnly cookie set by the login form), 60–604800.',
  },
  {
    name: 'FLEET_VIEW_REGISTRAR_URL',
    defaultNote: '— (registration shown as not installed)',
    description:
      "Base URL of the registrar's status endpoint, e.g. `http://eks-cluster-registrar:4356` (its `GET /api/v1/status`).",
  },
  {
    name: 'FLEET_VIEW_REGISTRAR_TOKEN_FILE',
    defaultNote: "the generator's token",
    description:
      "File with the token the registrar's status endpoint asks for (the generator's token, which the registrar accepts).",
  },
  {
    name: 'FLEET_VIEW_UPGRADES_NAMESPACE',
    defaultNote: '`POD_NAMESPACE`; unset: upgrades shown as not installed',
    description:
      'Namespace of the ClusterUpgrade objects (`argocd-eks-plugins.io/v1alpha1`), read-only (list).',
  },
  {
    name: 'FLEET_VIEW_SOURCE_TTL_SECONDS',
    default: FLEET_VIEW_DEFAULTS.sourceTtlSeconds,
    description:
      "How long the registrar's status and the ClusterUpgrade list are reused before the view reads them again, 1–3600.",
  },
] as const satisfies readonly EnvVar[];

type FleetViewEnvName = (typeof FLEET_VIEW_ENV_VARS)[number]['name'];

const HTTP_URL = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;
const DNS_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Reads the fleet view's settings into `issues` (the service's configuration is validated once, every problem at
 * once). Undefined when the view is off. `generatorPort` is getparams' port, which the view must not share.
 */
/** A shorter viewer token is refused: it guards a page listing every cluster of the fleet. */
export const VIEWER_TOKEN_MIN_LENGTH = 16;

export function loadFleetViewConfig(
  env: NodeJS.ProcessEnv,
  serviceListen: { readonly port: number; readonly host: string },
  issues: string[],
): FleetViewConfig | undefined {
  const name = (n: FleetViewEnvName) => n;
  const enabled = boolFromEnv(env, name('FLEET_VIEW'), false, issues, { digits: true });
  if (!enabled) return undefined;
  const before = issues.length;
  const port = intFromEnv(
    env,
    name('FLEET_VIEW_PORT'),
    FLEET_VIEW_DEFAULTS.port,
    {
      min: 0,
      max: 65535,
    },
    issues,
  );
  if (port !== 0 && port === serviceListen.port) {
    issues.push(
      `FLEET_VIEW_PORT: ${port} is the getparams port (PORT); the fleet view needs its own port`,
    );
  }
  const host = env['FLEET_VIEW_HOST']?.trim() || serviceListen.host;

  const tokenValue = env['FLEET_VIEW_TOKEN']?.trim();
  const tokenFile = env['FLEET_VIEW_TOKEN_FILE']?.trim();
  let token: TokenConfig | undefined;
  if (tokenValue && tokenFile) {
    issues.push('FLEET_VIEW_TOKEN and FLEET_VIEW_TOKEN_FILE are both set; set only one');
  } else if (tokenFile) {
    token = { kind: 'file', path: tokenFile };
  } else if (tokenValue) {
    token = { kind: 'env', value: tokenValue };
  } else {
    issues.push(
      'FLEET_VIEW_TOKEN_FILE: required with FLEET_VIEW=true (or FLEET_VIEW_TOKEN): the view has its own viewer token',
    );
  }
  if (token?.kind === 'env' && token.value.length < VIEWER_TOKEN_MIN_LENGTH) {
    issues.push(
      `FLEET_VIEW_TOKEN: the viewer token has ${token.value.length} characters; it needs at least ${VIEWER_TOKEN_MIN_LENGTH}`,
    );
  }
  if (token?.kind === 'env' && tokenValue === env['GENERATOR_TOKEN']?.trim()) {
    issues.push(
      "FLEET_VIEW_TOKEN: equals GENERATOR_TOKEN; the viewer token must differ from the generator's token",
    );
  }
  const sessionSeconds = intFromEnv(
    env,
    name('FLEET_VIEW_SESSION_SECONDS'),
    FLEET_VIEW_DEFAULTS.sessionSeconds,
    { min: 60, max: 604_800 },
    issues,
  );
  const registrarUrl = env['FLEET_VIEW_REGISTRAR_URL']?.trim() || undefined;
  if (registrarUrl !== undefined && !HTTP_URL.test(registrarUrl)) {
    issues.push(
      `FLEET_VIEW_REGISTRAR_URL: "${registrarUrl}" must be an http(s) URL such as http://eks-cluster-registrar:4356`,
    );
  }
  const registrarTokenFile = env['FLEET_VIEW_REGISTRAR_TOKEN_FILE']?.trim() || undefined;
  const explicitNs = env['FLEET_VIEW_UPGRADES_NAMESPACE']?.trim() || undefined;
  const upgradesNamespace = explicitNs ?? (env['POD_NAMESPACE']?.trim() || undefined);
  if (upgradesNamespace !== undefined && !DNS_LABEL.test(upgradesNamespace)) {
    issues.push(
      `${explicitNs !== undefined ? 'FLEET_VIEW_UPGRADES_NAMESPACE' : 'POD_NAMESPACE'}: "${upgradesNamespace}" is not a valid namespace name (RFC 1123 label)`,
    );
  }
  const ttlSeconds = intFromEnv(
    env,
    name('FLEET_VIEW_SOURCE_TTL_SECONDS'),
    FLEET_VIEW_DEFAULTS.sourceTtlSeconds,
    { min: 1, max: 3600 },
    issues,
  );
  if (issues.length > before || token === undefined) return undefined;
  return Object.freeze({
    port,
    host,
    token,
    sessionMs: sessionSeconds * 1000,
    registrarUrl: registrarUrl?.replace(/\/+$/, ''),
    registrarTokenFile,
    upgradesNamespace,
    sourceTtlMs: ttlSeconds * 1000,
  });
}
