import { compileSimpleSchema } from '../simpleschema/compile';
import type { RgdRule } from './rule';

/** R8: the instance spec and custom types are valid SimpleSchema (type names, markers, no type cycles). */
export const simpleSchemaRule: RgdRule = ({ rgd }) => {
  if (!rgd.schema) return [];
  const compiled = compileSimpleSchema(
    rgd.schema['spec'],
    rgd.schema['types'],
    'spec.schema.spec',
    'spec.schema.types',
  );
  return compiled.issues.map((i) => ({ path: i.path, message: i.message }));
};
