/**
 * The Kubernetes Format library's validators (policy-cel.md §A.11, Kubernetes 1.31+): each returns the problems of
 * a value, none when it is valid, in the words of Kubernetes' apimachinery validation.
 */
const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';

function full(re: string): RegExp {
  return new RegExp(`^(?:${re})$`);
}

function maxLen(s: string, n: number): string[] {
  return s.length > n ? [`must be no more than ${n} characters`] : [];
}

function dns1123Label(s: string): string[] {
  return [
    ...maxLen(s, 63),
    ...(full(DNS1123_LABEL).test(s)
      ? []
      : [
          `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (regex used for validation is '${DNS1123_LABEL}')`,
        ]),
  ];
}

function dns1123Subdomain(s: string): string[] {
  return [
    ...maxLen(s, 253),
    ...(full(DNS1123_SUBDOMAIN).test(s)
      ? []
      : [
          `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (regex used for validation is '${DNS1123_SUBDOMAIN}')`,
        ]),
  ];
}

function dns1035Label(s: string): string[] {
  return [
    ...maxLen(s, 63),
    ...(full(DNS1035_LABEL).test(s)
      ? []
      : [
          `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (regex used for validation is '${DNS1035_LABEL}')`,
        ]),
  ];
}

function qualifiedName(s: string): string[] {
  const parts = s.split('/');
  if (parts.length > 2)
    return [
      `a qualified name must consist of a name with an optional DNS subdomain prefix and '/'`,
    ];
  const name = parts[parts.length - 1] ?? '';
  const out: string[] = [];
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix === '') out.push('prefix part must be non-empty');
    else out.push(...dns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  }
  if (name === '') out.push('name part must be non-empty');
  else {
    out.push(...maxLen(name, 63).map((m) => `name part ${m}`));
    if (!full(QUALIFIED_NAME).test(name))
      out.push(
        `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (regex used for validation is '${QUALIFIED_NAME}')`,
      );
  }
  return out;
}

function labelValue(s: string): string[] {
  if (s === '') return [];
  return [
    ...maxLen(s, 63),
    ...(full(QUALIFIED_NAME).test(s)
      ? []
      : [
          `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (regex used for validation is '(${QUALIFIED_NAME})?')`,
        ]),
  ];
}

/** generateName prefixes may end with '-' (Kubernetes masks it before validating). */
function prefix(validate: (s: string) => string[]): (s: string) => string[] {
  return (s) => validate(s.endsWith('-') ? `${s.slice(0, -1)}a` : s);
}

function uri(s: string): string[] {
  // Go's url.ParseRequestURI: an absolute URI or an absolute path, no fragment.
  const ok = /^([a-zA-Z][a-zA-Z0-9+.-]*:[^\s#]*|\/[^\s#]*)$/.test(s);
  return ok ? [] : ['invalid URI'];
}

function uuid(s: string): string[] {
  return /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s)
    ? []
    : ['does not match the UUID format'];
}

function byte(s: string): string[] {
  return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)
    ? []
    : ['invalid base64'];
}

function date(s: string): string[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m === null) return ['invalid date'];
  const d = new Date(`${s}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s ? ['invalid date'] : [];
}

function datetime(s: string): string[] {
  const ok =
    /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) &&
    !Number.isNaN(new Date(s.replace(' ', 'T')).getTime());
  return ok ? [] : ['invalid datetime'];
}

export const FORMATS: Readonly<Record<string, (s: string) => string[]>> = {
  dns1123Label,
  dns1123Subdomain,
  dns1035Label,
  qualifiedName,
  dns1123LabelPrefix: prefix(dns1123Label),
  dns1123SubdomainPrefix: prefix(dns1123Subdomain),
  dns1035LabelPrefix: prefix(dns1035Label),
  labelValue,
  uri,
  uuid,
  byte,
  date,
  datetime,
};

export class Format {
  constructor(
    readonly name: string,
    readonly validate: (s: string) => string[],
  ) {}
}
