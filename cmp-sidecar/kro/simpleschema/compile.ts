import { isMap, type JsonMap } from '../types';
import { parseFieldSpec } from './field-spec';
import { applyMarkers } from './markers';
import { parseTypeExpr, type TypeExpr } from './type-expr';

/**
 * Compiles a SimpleSchema tree (`schema.spec`, with custom types from `schema.types`) into the OpenAPI schema kro
 * generates for the instance CRD, reporting every problem with its path.
 */
export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
}

export interface CompiledSchema {
  readonly schema: JsonMap;
  readonly issues: readonly SchemaIssue[];
}

interface Compiled {
  schema: JsonMap;
  required: boolean;
}

class TypeRegistry {
  private readonly resolved = new Map<string, Compiled | null>();
  private readonly resolving: string[] = [];
  constructor(
    private readonly definitions: JsonMap,
    private readonly basePath: string,
    private readonly issues: SchemaIssue[],
  ) {}

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.definitions, name);
  }

  /** Resolves a custom type once (types form a DAG); null when it is broken (already reported). */
  resolve(name: string): Compiled | null | 'cycle' {
    if (this.resolving.includes(name)) return 'cycle';
    const cached = this.resolved.get(name);
    if (cached !== undefined) return cached;
    this.resolving.push(name);
    const before = this.issues.length;
    const compiled = compileNode(
      this.definitions[name],
      `${this.basePath}.${name}`,
      this,
      this.issues,
    );
    this.resolving.pop();
    const result = this.issues.length > before ? null : compiled;
    this.resolved.set(name, result);
    return result;
  }

  /** Every type, even unused ones, is checked. */
  checkAll(): void {
    for (const name of Object.keys(this.definitions)) {
      const r = this.resolve(name);
      if (r === 'cycle')
        this.issues.push({
          path: `${this.basePath}.${name}`,
          message: `cyclic dependency in type ${name}`,
        });
    }
  }
}

export function compileSimpleSchema(
  spec: unknown,
  types: unknown,
  specPath: string,
  typesPath: string,
): CompiledSchema {
  const issues: SchemaIssue[] = [];
  if (types !== undefined && types !== null && !isMap(types)) {
    issues.push({ path: typesPath, message: 'types must be a map of type name to SimpleSchema' });
  }
  const registry = new TypeRegistry(isMap(types) ? types : {}, typesPath, issues);
  registry.checkAll();
  if (spec === undefined || spec === null) return { schema: { type: 'object' }, issues };
  if (!isMap(spec)) {
    issues.push({
      path: specPath,
      message: 'spec must be a map of field name to SimpleSchema type',
    });
    return { schema: { type: 'object' }, issues };
  }
  const compiled = compileNode(spec, specPath, registry, issues);
  return { schema: compiled.schema, issues };
}

function compileNode(
  value: unknown,
  path: string,
  types: TypeRegistry,
  issues: SchemaIssue[],
): Compiled {
  if (isMap(value)) return compileStruct(value, path, types, issues);
  if (typeof value !== 'string') {
    issues.push({
      path,
      message: `expected a SimpleSchema type string or a map, got ${value === null ? 'null' : typeof value}`,
    });
    return { schema: {}, required: false };
  }
  const parsed = parseFieldSpec(value);
  if (!parsed.ok) {
    issues.push({ path, message: parsed.message });
    return { schema: {}, required: false };
  }
  const typeExpr = parseTypeExpr(parsed.spec.typeText);
  if (!typeExpr.ok) {
    issues.push({ path, message: typeExpr.message });
    return { schema: {}, required: false };
  }
  const base = typeSchema(typeExpr.type, path, types, issues);
  if (base === null) return { schema: {}, required: false };
  const schema = structuredClone(base.schema);
  const outcome = applyMarkers(schema, parsed.spec.markers);
  for (const m of outcome.issues) issues.push({ path, message: m });
  return { schema, required: outcome.required ?? base.required };
}

function compileStruct(
  value: JsonMap,
  path: string,
  types: TypeRegistry,
  issues: SchemaIssue[],
): Compiled {
  const properties: JsonMap = {};
  const required: string[] = [];
  let childDefaults = false;
  for (const [key, child] of Object.entries(value)) {
    const c = compileNode(child, `${path}.${key}`, types, issues);
    properties[key] = c.schema;
    if (c.required) required.push(key);
    if (c.schema['default'] !== undefined) childDefaults = true;
  }
  const schema: JsonMap = { type: 'object', properties };
  if (required.length > 0) schema['required'] = required;
  else if (childDefaults) schema['default'] = {};
  return { schema, required: false };
}

function typeSchema(
  t: TypeExpr,
  path: string,
  types: TypeRegistry,
  issues: SchemaIssue[],
): Compiled | null {
  switch (t.kind) {
    case 'atomic':
      return { schema: { type: t.name === 'float' ? 'number' : t.name }, required: false };
    case 'object':
      return {
        schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        required: false,
      };
    case 'array': {
      const items = typeSchema(t.items, path, types, issues);
      return items === null
        ? null
        : { schema: { type: 'array', items: items.schema }, required: false };
    }
    case 'map': {
      const values = typeSchema(t.values, path, types, issues);
      return values === null
        ? null
        : { schema: { type: 'object', additionalProperties: values.schema }, required: false };
    }
    case 'custom': {
      if (!types.has(t.name)) {
        issues.push({ path, message: `unknown type: ${t.name}` });
        return null;
      }
      const r = types.resolve(t.name);
      if (r === 'cycle') {
        issues.push({ path, message: `cyclic dependency in type ${t.name}` });
        return null;
      }
      return r;
    }
  }
}
