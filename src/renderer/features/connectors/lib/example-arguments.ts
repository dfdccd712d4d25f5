// "Try it" starts from the action's input schema: its required properties (and any with a
// default or example) filled with a value of the right type, the rest named in a hint.
type Schema = Record<string, unknown>;

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

function firstType(schema: Schema): string | undefined {
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.find((t): t is string => typeof t === 'string' && t !== 'null');
  const alternative = [schema.anyOf, schema.oneOf].find(Array.isArray)?.find(isObject);
  return alternative ? firstType(alternative) : undefined;
}

function exampleValue(schema: Schema, depth = 0): unknown {
  if ('default' in schema) return schema.default;
  if ('example' in schema) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  switch (firstType(schema)) {
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return depth < 3 ? exampleObject(schema, depth + 1).value : {};
    default:
      return '';
  }
}

function exampleObject(schema: Schema, depth: number): { value: Schema; optional: string[] } {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const value: Schema = {};
  const optional: string[] = [];
  for (const [name, property] of Object.entries(properties)) {
    const prop = isObject(property) ? property : {};
    if (required.has(name) || 'default' in prop || 'example' in prop) value[name] = exampleValue(prop, depth);
    else optional.push(name);
  }
  return { value, optional };
}

/** Pretty JSON arguments to start from, and the optional properties left out. */
export function exampleArguments(inputSchema: unknown): { text: string; optional: string[] } {
  if (!isObject(inputSchema)) return { text: '{}', optional: [] };
  const { value, optional } = exampleObject(inputSchema, 0);
  return { text: JSON.stringify(value, null, 2), optional };
}

/** The arguments typed as JSON: an object, or a message saying what is wrong. */
export function parseArguments(text: string): { value: Record<string, unknown> } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.trim() || '{}');
  } catch (error) {
    return { error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  return isObject(parsed)
    ? { value: parsed }
    : { error: 'The arguments must be a JSON object, e.g. {"id": 1}.' };
}
