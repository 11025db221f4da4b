import { decodeFirstJsonValue, decodeServiceResponse, unmarshalObject } from './go-json-decode';
import type { JsonNode } from './go-json-decode';
import { RawJson, encodeGoJson, goAtoi, goQuote, goTrimSpace } from './go-values';
import { flattenToStrings, setOwn } from './flatten';
import { GoHttpError, goHttpDo } from './http-client';
import type { GoHttpResponse, HttpTransport } from './http-client';
import { replaceTemplateString } from './render';

/**
 * Argo CD's ApplicationSet Plugin generator (`applicationset/generators/plugin.go` and the plugin client),
 * emulated per shared/docs/argocd-contract.md A1–A6: ConfigMap and Secret lookup in the controller
 * namespace, token resolution, the exact request bytes, response decoding with Go's semantics and error
 * texts, and the per-object transformation (flatten + %v, or goTemplate shallow copy; `generator`;
 * `values`). Errors are returned as the exact strings Argo CD puts in the ApplicationSet condition.
 */

export interface ConfigMapObject {
  readonly name: string;
  readonly namespace: string;
  readonly data?: Readonly<Record<string, string>>;
}

/** A Secret with its `data` values given DECODED (as the vectors give them). */
export interface SecretObject {
  readonly name: string;
  readonly namespace: string;
  readonly data?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** `spec.generators[].plugin`. */
export interface PluginGeneratorSpec {
  readonly configMapRef: { readonly name: string };
  readonly input?: { readonly parameters?: Readonly<Record<string, unknown>> };
  readonly values?: Readonly<Record<string, string>>;
  readonly requeueAfterSeconds?: number;
}

export interface ApplicationSetInfo {
  /** metadata.name (sent as applicationSetName, without the namespace). */
  readonly name: string;
  readonly goTemplate: boolean;
  /** spec.goTemplateOptions, e.g. ["missingkey=error"]. */
  readonly goTemplateOptions?: readonly string[];
}

export interface PluginGeneratorSetup {
  readonly applicationSet: ApplicationSetInfo;
  /** Where the ApplicationSet controller runs: the ConfigMap and Secret are read from HERE. */
  readonly controllerNamespace: string;
  /** The cluster's ConfigMaps (one, none, or several to look the reference up in). */
  readonly configMap: ConfigMapObject | null | readonly ConfigMapObject[];
  readonly secret: SecretObject | null | readonly SecretObject[];
  readonly generator: PluginGeneratorSpec;
}

/** One parameter set, as the controller holds it (`map[string]any`). */
export type Params = Record<string, unknown>;

export type PluginGeneratorResult = { params: Params[] } | { error: string };

const asList = <T>(x: T | null | readonly T[]): readonly T[] =>
  x === null ? [] : Array.isArray(x) ? (x as readonly T[]) : [x as T];

/** `plugin.ParseSecretKey`: `$name:key` → (name, `$key`); otherwise (argocd-secret, ref). */
export function parseSecretKey(ref: string): { secretName: string; tokenKey: string } {
  if (ref.includes(':')) {
    const parts = ref.split(':');
    return { secretName: (parts[0] ?? '').slice(1), tokenKey: `$${parts[1] ?? ''}` };
  }
  return { secretName: 'argocd-secret', tokenKey: ref };
}

/** `settings.ReplaceStringSecret`: a missing key leaves the reference itself as the value. */
export function replaceStringSecret(val: string, secretValues: Readonly<Record<string, string>>) {
  if (val === '' || !val.startsWith('$')) return val;
  const key = val.slice(1);
  if (!Object.prototype.hasOwnProperty.call(secretValues, key)) return val;
  return goTrimSpace(secretValues[key] ?? '');
}

export interface PluginRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * The request Argo CD builds: `baseUrl` + `/` if missing + `api/v1/getparams.execute`; body
 * `{"applicationSetName":..,"input":{"parameters":..}}` + `\n`, `parameters` omitted when empty, map keys
 * sorted, HTML escaping off; Content-Type, Authorization (non-empty token only), User-Agent.
 */
export function buildPluginRequest(
  appSetName: string,
  baseUrl: string,
  token: string,
  parameters: Readonly<Record<string, unknown>> | undefined,
): PluginRequest {
  const url = `${baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`}api/v1/getparams.execute`;
  const opts = { escapeHTML: false };
  const params = parameters && Object.keys(parameters).length > 0 ? parameters : undefined;
  const input = params === undefined ? '{}' : `{"parameters":${encodeGoJson(toRaw(params), opts)}}`;
  const body = `{"applicationSetName":${encodeGoJson(appSetName, opts)},"input":${input}}\n`;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token !== '') headers['Authorization'] = `Bearer ${token}`;
  headers['User-Agent'] = 'argocd-applicationset';
  return { url, headers, body: Buffer.from(body, 'utf8') };
}

/** `PluginParameters` values as Go holds them: raw JSON bytes of each value (keys sorted as stored). */
function toRaw(parameters: Readonly<Record<string, unknown>>): Record<string, RawJson> {
  const out: Record<string, RawJson> = {};
  for (const [k, v] of Object.entries(parameters)) {
    setOwn(out, k, v instanceof RawJson ? v : new RawJson(encodeGoJson(v, { escapeHTML: false })));
  }
  return out;
}

/**
 * The few ways Go's url.Parse rejects a URL (http.NewRequest fails before any call). Everything else parses
 * in Go, e.g. a baseUrl without a scheme, which then fails at send time (`unsupported protocol scheme ""`).
 */
export function goUrlParseError(url: string): string | undefined {
  const q = goQuote(url);
  const hasControl = [...url].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
  if (hasControl) return `parse ${q}: net/url: invalid control character in URL`;
  const badEscape = /%(?![0-9a-fA-F]{2})(.{0,2})/.exec(url);
  if (badEscape) return `parse ${q}: invalid URL escape ${goQuote(`%${badEscape[1] ?? ''}`)}`;
  if (/^[^/:?#]*:/.test(url) && !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(url)) {
    return `parse ${q}: first path segment in URL cannot contain colon`;
  }
  return undefined;
}

/**
 * `CheckResponse` for a non-2xx reply: `API error with status code <N>: <msg>`, where msg is the string
 * `message`, else the string `error`, of a JSON object body, else "" for other JSON objects, else the raw body.
 */
export function checkResponse(res: GoHttpResponse): string | undefined {
  if (res.status >= 200 && res.status <= 299) return undefined;
  if (res.bodyError !== undefined) {
    return `API error with status code ${res.status}: ${res.bodyError}`;
  }
  const raw = unmarshalObject(res.body);
  if (raw === undefined) {
    return `API error with status code ${res.status}: ${res.body.toString('utf8')}`;
  }
  let message = '';
  if (raw !== null && typeof raw['message'] === 'string') message = raw['message'];
  else if (raw !== null && typeof raw['error'] === 'string') message = raw['error'];
  return `API error with status code ${res.status}: ${message}`;
}

/**
 * The internal client's `Do`: send, CheckResponse, then decode the FIRST JSON value of a 2xx body.
 * `node` is undefined for an empty body (io.EOF, ignored by Argo CD). Errors are Go's texts, unwrapped.
 */
export async function pluginClientDo(
  transport: HttpTransport,
  request: PluginRequest & { readonly method?: string; readonly timeoutMs: number },
): Promise<{ node: JsonNode | undefined; body: Buffer } | { error: string }> {
  let res: GoHttpResponse;
  try {
    res = await transport({
      method: request.method ?? 'POST',
      url: request.url,
      headers: request.headers,
      body: request.body,
      timeoutMs: request.timeoutMs,
    });
  } catch (e) {
    if (e instanceof GoHttpError) return { error: e.message };
    throw e;
  }
  const apiError = checkResponse(res);
  if (apiError !== undefined) return { error: apiError };
  const first = decodeFirstJsonValue(res.body);
  const text = res.body.toString('utf8');
  if ('error' in first) {
    // A read failure mid-value is what the decoder reports; the body read so far is appended.
    return { error: `${res.bodyError ?? first.error}: ${text}` };
  }
  if ('eof' in first) {
    return res.bodyError === undefined
      ? { node: undefined, body: res.body }
      : { error: `${res.bodyError}: ${text}` };
  }
  return { node: first.node, body: res.body };
}

/** Runs the Plugin generator once, as the ApplicationSet controller does on a reconcile. */
export async function emulatePluginGenerator(
  setup: PluginGeneratorSetup,
  transport: HttpTransport = goHttpDo,
): Promise<PluginGeneratorResult> {
  const ns = setup.controllerNamespace;
  const appSet = setup.applicationSet;
  const spec = setup.generator;
  const fromGenerator = (msg: string) => ({ error: `error getting plugin from generator: ${msg}` });

  // A1 steps 1-3: the ConfigMap, from the controller namespace.
  const cmName = spec.configMapRef.name;
  const cm = asList(setup.configMap).find((c) => c.name === cmName && c.namespace === ns);
  if (cm === undefined)
    return fromGenerator(`error fetching ConfigMap: configmaps "${cmName}" not found`);
  const data = cm.data ?? {};
  if (!data['baseUrl'])
    return fromGenerator('error fetching ConfigMap: baseUrl not found in ConfigMap');
  if (!data['token'])
    return fromGenerator('error fetching ConfigMap: token not found in ConfigMap');
  const baseUrl = data['baseUrl'];
  const tokenRef = data['token'];

  // A1 steps 4-5, A2: the token.
  if (!tokenRef.startsWith('$')) {
    return fromGenerator(
      `error fetching Secret token: token is empty, or does not reference a secret key starting with '$': ${tokenRef}`,
    );
  }
  const { secretName, tokenKey } = parseSecretKey(tokenRef);
  const secret = asList(setup.secret).find((s) => s.name === secretName && s.namespace === ns);
  if (secret === undefined) {
    return fromGenerator(
      `error fetching Secret token: error fetching secret ${ns}/${secretName}: secrets "${secretName}" not found`,
    );
  }
  const token = replaceStringSecret(tokenKey, secret.data ?? {});

  // A1 step 6, A5: requestTimeout, bare integer seconds; 0 or absent = 30 s; negative = none.
  let timeoutSeconds = 30;
  const rawTimeout = data['requestTimeout'];
  if (rawTimeout !== undefined) {
    const parsed = goAtoi(rawTimeout);
    if ('error' in parsed) return fromGenerator(`error set requestTimeout : ${parsed.error}`);
    if (parsed.value !== 0) timeoutSeconds = parsed.value;
  }

  // A3, A4: the call.
  const request = buildPluginRequest(appSet.name, baseUrl, token, spec.input?.parameters);
  const parseError = goUrlParseError(request.url);
  if (parseError !== undefined) {
    return { error: `error listing params: NewRequest returned unexpected error: ${parseError}` };
  }
  const listed = await pluginClientDo(transport, {
    ...request,
    timeoutMs: timeoutSeconds > 0 ? timeoutSeconds * 1000 : 0,
  });
  const apiError = (msg: string) => ({
    error: `error listing params: error get api '${appSet.name}': ${msg}`,
  });
  if ('error' in listed) return apiError(listed.error);
  let objects: Params[] = [];
  if (listed.node !== undefined) {
    const decoded = decodeServiceResponse(listed.node);
    if (decoded.error !== undefined)
      return apiError(`${decoded.error}: ${listed.body.toString('utf8')}`);
    objects = decoded.parameters;
  }

  // A6: per returned object.
  const inputParameters =
    spec.input?.parameters === undefined ? null : toRaw(spec.input.parameters);
  const params: Params[] = [];
  for (const object of objects) {
    const p: Params = appSet.goTemplate ? { ...object } : { ...flattenToStrings(object) };
    p['generator'] = { input: { parameters: inputParameters } };
    const valuesError = appendTemplatedValues(spec.values, p, appSet);
    if (valuesError !== undefined) return { error: `error generating params: ${valuesError}` };
    params.push(p);
  }
  return { params };
}

/**
 * `appendTemplatedValues`: each spec value is rendered against the params built so far (so values cannot
 * see each other) and stored as `values.<k>` (flat) or one `values` map (goTemplate), replacing any
 * `values` the plugin returned. Returns Argo CD's error text on failure.
 */
export function appendTemplatedValues(
  values: Readonly<Record<string, string>> | undefined,
  params: Params,
  appSet: ApplicationSetInfo,
): string | undefined {
  if (values === undefined || Object.keys(values).length === 0) return undefined;
  const rendered: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    const r = replaceTemplateString(v, params, appSet.goTemplate, appSet.goTemplateOptions ?? []);
    if ('error' in r) return `failed to replace templated string: ${r.error}`;
    setOwn(rendered, k, r.text);
  }
  if (appSet.goTemplate) {
    params['values'] = rendered;
  } else {
    for (const [k, v] of Object.entries(rendered)) setOwn(params, `values.${k}`, v);
  }
  return undefined;
}
