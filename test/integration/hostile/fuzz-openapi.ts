/**
 * The executive's OpenAPI document as the hostile-input suite (fuzz.test.ts) reads it: every
 * operation with its path, query parameters and body keys, so a new route is fuzzed unasked.
 */

/** One operation of the OpenAPI document, as the generators need it. */
export interface Operation {
  readonly method: string;
  readonly path: string;
  readonly security: readonly Record<string, readonly string[]>[];
  /** Every property name the request body schema mentions (any depth, any branch). */
  readonly bodyProperties: readonly string[];
  readonly queryNames: readonly string[];
}

interface SchemaLike {
  readonly properties?: Record<string, SchemaLike>;
  readonly items?: SchemaLike;
  readonly oneOf?: readonly SchemaLike[];
  readonly anyOf?: readonly SchemaLike[];
}

interface OperationDoc {
  readonly security?: Record<string, string[]>[];
  readonly parameters?: readonly { readonly in: string; readonly name: string }[];
  readonly requestBody?: { readonly content?: Record<string, { readonly schema?: SchemaLike }> };
}

export interface OpenApiDoc {
  readonly paths: Record<string, Record<string, OperationDoc>>;
}

const DOC_METHODS = ['get', 'post', 'put', 'delete', 'patch'];

function propertyNames(schema: SchemaLike | undefined, into: Set<string>): Set<string> {
  if (schema === undefined) return into;
  for (const [name, sub] of Object.entries(schema.properties ?? {})) {
    into.add(name);
    propertyNames(sub, into);
  }
  propertyNames(schema.items, into);
  for (const branch of [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) propertyNames(branch, into);
  return into;
}

/** Every operation the document lists: a route added to the executive is fuzzed without edits here. */
export function operationsOf(doc: OpenApiDoc): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([method]) => DOC_METHODS.includes(method))
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        security: op.security ?? [],
        bodyProperties: [...propertyNames(op.requestBody?.content?.['application/json']?.schema, new Set())],
        queryNames: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      })),
  );
}

// ---------------------------------------------------------------------------------------------
// JSON as text
