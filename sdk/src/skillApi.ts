// A skill's own API as its docs carry it: an OpenAPI 3.1 document with one POST operation per endpoint of the
// manifest (what an execute call names in `endpoint`, its input as `payload`). The one home of that shape: publishing
// writes it, and everything that offers a skill's endpoints (its MCP tools, its x402 discovery metadata) reads it back.
// The document is seller-written: readers bound what they take from it.
import type { SkillManifest } from "./manifest.js";

export type JsonSchema = Record<string, unknown>;

/** The OpenAPI document publishing stores in a skill's docs. */
export function skillApiSpec(m: Pick<SkillManifest, "name" | "version" | "description" | "endpoints">) {
  return {
    openapi: "3.1.0",
    info: { title: m.name, version: m.version, description: m.description },
    paths: Object.fromEntries(
      Object.entries(m.endpoints).map(([name, e]) => [
        `/${name}`,
        {
          post: {
            operationId: name,
            summary: e.description,
            requestBody: { required: true, content: { "application/json": { schema: e.input } } },
            responses: { "200": { description: "the endpoint's answer", content: { "application/json": { schema: e.output } } } },
          },
        },
      ]),
    ),
  };
}

export interface SkillEndpoint {
  /** What an execute call names in `endpoint`. */
  name: string;
  /** The seller's words, at most 500 characters. */
  summary: string;
  /** JSON Schema of the payload ({} when the spec gives none). */
  input: JsonSchema;
  /** JSON Schema of the answer, when the spec gives one. */
  output?: JsonSchema;
}

type Operation = {
  summary?: unknown;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};

const schemaOf = (s: unknown): JsonSchema | undefined => (typeof s === "object" && s !== null && !Array.isArray(s) ? (s as JsonSchema) : undefined);

/** The endpoints of a skill from its API spec (as GET /skills/:id answers `apiSpec`); empty when it has none. */
export function skillEndpoints(apiSpec: unknown): SkillEndpoint[] {
  const paths = schemaOf(schemaOf(apiSpec)?.paths) ?? {};
  return Object.entries(paths).flatMap(([path, item]) => {
    const op = schemaOf(schemaOf(item)?.post) as Operation | undefined;
    const name = path.replace(/^\//, "");
    if (!op || !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) return [];
    const output = schemaOf(op.responses?.["200"]?.content?.["application/json"]?.schema);
    return [
      {
        name,
        summary: String(op.summary ?? name).slice(0, 500),
        input: schemaOf(op.requestBody?.content?.["application/json"]?.schema) ?? {},
        ...(output ? { output } : {}),
      },
    ];
  });
}
