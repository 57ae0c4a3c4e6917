// One declaration per endpoint: its zod schemas validate the request at the edge and describe it
// in the OpenAPI 3.1 document, so the document cannot drift from what the code accepts.
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import express from "express";
import { Cached } from "../adapters/cache.js";
import { sendCached } from "./cached.js";
import { z } from "zod";
import { DomainError, invalid, methodNotAllowed } from "../errors.js";
import type { Caller } from "../modules/agents/service.js";

export type { Caller };

extendZodWithOpenApi(z);

export const ErrorBody = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  })
  .openapi("Error");

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "invalid request (the details list each problem)",
  401: "missing or invalid API key",
  403: "the key's agent may not do this",
  404: "not found",
  409: "conflicts with the current state",
  410: "expired; the details say what to do instead",
  422: "the request was valid but the work failed (the details say how)",
  429: "rate limited; see Retry-After",
  503: "a part the api depends on does not answer",
};

/** Deepest JSON nesting a request may carry: far beyond any schema of the api, far below a stack's limit. */
export const MAX_JSON_DEPTH = 32;

/**
 * What PostgreSQL or the stack could not take in a parsed request part: a NUL character anywhere
 * (text columns cannot hold it), or nesting deeper than MAX_JSON_DEPTH. Walked without recursion.
 */
function inspect(value: unknown): { nul: boolean; tooDeep: boolean } {
  const stack: [unknown, number][] = [[value, 0]];
  let nul = false;
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item === "string") {
      nul ||= item.includes("\0");
    } else if (item && typeof item === "object") {
      if (depth >= MAX_JSON_DEPTH) return { nul, tooDeep: true };
      if (Array.isArray(item)) {
        for (const v of item) stack.push([v, depth + 1]);
      } else {
        for (const [k, v] of Object.entries(item)) {
          nul ||= k.includes("\0");
          stack.push([v, depth + 1]);
        }
      }
    }
  }
  return { nul, tooDeep: false };
}

/** An operation's id from its method and path: `get /skills/:id/reviews` → `getSkillsIdReviews`. */
export function operationIdOf(method: string, path: string): string {
  const words = path.split(/[/:_-]+/).filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

/** Adds the no-NUL pattern to every string schema in `schema` that has no pattern of its own. */
function noNul(schema: unknown): void {
  const stack = [schema];
  while (stack.length > 0) {
    const item = stack.pop();
    if (!item || typeof item !== "object") continue;
    const s = item as Record<string, unknown>;
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (types.includes("string") && s.pattern === undefined && s.enum === undefined && s.const === undefined) s.pattern = "^[^\\u0000]*$";
    stack.push(...Object.values(s));
  }
}

type Method = "get" | "post" | "put" | "patch" | "delete";
type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  method: Method;
  /** Express-style path below the router's base, e.g. `/skills/:id`. */
  path: string;
  summary: string;
  tag: string;
  /** `required`: a valid API key or 401; `optional`: identify the caller when a key is given. */
  auth?: "required" | "optional";
  params?: P;
  query?: Q;
  body?: B;
  /** Request headers the route reads (names in lower case), documented as header parameters. */
  headers?: AnyObject;
  /**
   * JSON response schema (the handler returns the value, or a `Cached` answer sent as stored), or
   * a content type and description for an answer without a body (status 204).
   */
  response: z.ZodType | { contentType: string; description: string };
  /**
   * OpenAPI links from the success answer to other operations (named `"<method> <path>"`), each
   * parameter a runtime expression such as `$response.body#/skills/0/id`: how a client (and the
   * stateful tests) go from one answer to the next request.
   */
  links?: Record<string, { to: string; parameters: Record<string, string> }>;
  status?: number;
  errors?: number[];
  /** Headers the success answer carries, from its result (x402's PAYMENT-RESPONSE). */
  responseHeaders?: (result: unknown) => Record<string, string>;
  handler: (input: {
    params: z.infer<P>;
    query: z.infer<Q>;
    body: z.infer<B>;
    /** What `headers` kept of the request's headers. */
    headers: Record<string, unknown>;
    caller: Caller | undefined;
    /** The request's path and query exactly as sent (what a URL-keyed cache remembers it by). */
    url: string;
  }) => Promise<unknown>;
}

/** The caller named by an `Authorization` header (undefined when none is given and none is required). */
export type Authenticate = (authorization: string | undefined, required: boolean) => Promise<Caller | undefined>;

export class ApiRouter {
  readonly router = express.Router();
  readonly registry = new OpenAPIRegistry();
  readonly routes: { method: Method; path: string; summary: string; tag: string }[] = [];

  constructor(
    readonly base: string,
    private readonly authenticate: Authenticate,
  ) {
    // A path without parameters (`/agents/me`) is its own resource even where a parameterized
    // one (`/agents/:wallet`) would match it: its undeclared methods are answered here, first.
    this.router.use((req, res, next) => {
      const methods = this.allowed().get(req.path);
      if (!methods || req.path.includes(":") || methods.has(req.method)) return next();
      const allow = [...methods, "OPTIONS"].join(", ");
      res.set("Allow", allow);
      if (req.method === "OPTIONS") res.status(204).end();
      else next(methodNotAllowed(req.method, allow));
    });
    this.registry.registerComponent("securitySchemes", "apiKey", {
      type: "http",
      scheme: "bearer",
      description: "An agent's API key: `Authorization: Bearer sk_…`",
    });
  }

  add<P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(spec: RouteSpec<P, Q, B>): void {
    const openApiPath = spec.path.replace(/:(\w+)/g, "{$1}");
    const status = spec.status ?? 200;
    const errors = new Set([...(spec.errors ?? []), 400, 429]);
    if (spec.auth === "required") errors.add(401);
    const responses: Record<number, unknown> = {};
    const links = spec.links
      ? Object.fromEntries(
          Object.entries(spec.links).map(([name, link]) => {
            const [method, path] = link.to.split(" ") as [string, string];
            return [name, { operationId: operationIdOf(method, path), parameters: link.parameters }];
          }),
        )
      : undefined;
    responses[status] =
      "contentType" in spec.response
        ? { description: spec.response.description, content: { [spec.response.contentType]: { schema: { type: "string" } } } }
        : { description: spec.summary, content: { "application/json": { schema: spec.response } }, ...(links ? { links } : {}) };
    for (const code of errors) {
      responses[code] = { description: ERROR_DESCRIPTIONS[code] ?? "error", content: { "application/json": { schema: ErrorBody } } };
    }
    this.registry.registerPath({
      method: spec.method,
      path: this.base + openApiPath,
      operationId: operationIdOf(spec.method, spec.path),
      summary: spec.summary,
      tags: [spec.tag],
      security: spec.auth === "required" ? [{ apiKey: [] }] : spec.auth === "optional" ? [{}, { apiKey: [] }] : undefined,
      request: {
        params: spec.params,
        query: spec.query,
        headers: spec.headers,
        // A missing body is read as `{}`: required only where `{}` would not do.
        body: spec.body ? { content: { "application/json": { schema: spec.body } }, required: !spec.body.safeParse({}).success } : undefined,
      },
      responses: responses as never,
    });
    this.routes.push({ method: spec.method, path: this.base + spec.path, summary: spec.summary, tag: spec.tag });
    this.allowedByPath = null;

    this.router[spec.method](spec.path, async (req, res, next) => {
      try {
        const problems: { in: string; path: string; message: string }[] = [];
        const check = <T extends z.ZodType>(where: string, schema: T | undefined, value: unknown): z.infer<T> => {
          if (!schema) return undefined as z.infer<T>;
          const parsed = schema.safeParse(value ?? {});
          if (parsed.success) return parsed.data;
          for (const issue of parsed.error.issues) problems.push({ in: where, path: issue.path.join("."), message: issue.message });
          return undefined as z.infer<T>;
        };
        // Nesting past MAX_JSON_DEPTH is refused before any schema walks it.
        for (const [where, value] of [["path", req.params], ["query", req.query], ["body", req.body]] as const) {
          if (inspect(value).tooDeep) {
            const problem = { in: where, path: "", message: `must not nest more than ${MAX_JSON_DEPTH} levels deep` };
            throw invalid("validation_failed", `${where} value: ${problem.message}`, [problem]);
          }
        }
        const caller = spec.auth ? await this.authenticate(req.header("authorization"), spec.auth === "required") : undefined;
        const params = check("path", spec.params, req.params);
        const query = check("query", spec.query, req.query);
        const body = check("body", spec.body, req.body);
        const headers = spec.headers ? (check("header", spec.headers, req.headers) ?? {}) : {};
        // PostgreSQL text cannot hold NUL: refused in what the schemas kept (the document says so
        // of every request string); fields a schema drops never reach a query.
        for (const [where, value] of [["path", params], ["query", query], ["body", body]] as const) {
          if (inspect(value).nul) problems.push({ in: where, path: "", message: "must not contain NUL characters" });
        }
        if (problems.length > 0) {
          const first = problems[0]!;
          throw invalid("validation_failed", `${first.in} ${first.path || "value"}: ${first.message}`, problems);
        }
        const result = await spec.handler({ params, query, body, headers, caller, url: req.originalUrl });
        // An answer carrying an API key is never stored by a cache on the way.
        if (result && typeof result === "object" && "apiKey" in result) res.set("Cache-Control", "no-store");
        if (spec.responseHeaders) res.set(spec.responseHeaders(result));
        if (result instanceof Cached) sendCached(req, res, result);
        else if (status === 204) res.status(204).end();
        else res.status(status).json(result);
      } catch (error) {
        next(error instanceof DomainError || error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  private allowedByPath: Map<string, Set<string>> | null = null;

  /** Declared methods by path below the base (GET implies HEAD). */
  private allowed(): Map<string, Set<string>> {
    if (this.allowedByPath) return this.allowedByPath;
    const allowed = new Map<string, Set<string>>();
    for (const { method, path } of this.routes) {
      const local = path.slice(this.base.length);
      if (!allowed.has(local)) allowed.set(local, new Set());
      allowed.get(local)!.add(method.toUpperCase());
      if (method === "get") allowed.get(local)!.add("HEAD");
    }
    return (this.allowedByPath = allowed);
  }

  /**
   * Answers every path's undeclared methods: 405 with `Allow` naming the declared ones (OPTIONS:
   * 204 with the same header). Called once, after the last `add`.
   */
  finish(): void {
    this.allowedByPath = null;
    for (const [path, methods] of this.allowed()) {
      const allow = [...methods, "OPTIONS"].join(", ");
      this.router.all(path, (req, res, next) => {
        res.set("Allow", allow);
        if (req.method === "OPTIONS") res.status(204).end();
        else next(methodNotAllowed(req.method, allow));
      });
    }
  }

  document(info: { title: string; version: string; description: string }, serverUrl: string): object {
    const document = new OpenApiGeneratorV31(this.registry.definitions).generateDocument({
      openapi: "3.1.0",
      info,
      servers: [{ url: serverUrl }],
    });
    // Every link names an operation that exists.
    const ids = new Set(this.routes.map((r) => operationIdOf(r.method, r.path.slice(this.base.length))));
    for (const item of Object.values(document.paths ?? {})) {
      for (const operation of Object.values(item as Record<string, { responses?: Record<string, { links?: Record<string, { operationId: string }> }> }>)) {
        for (const response of Object.values(operation.responses ?? {})) {
          for (const [name, link] of Object.entries(response.links ?? {})) {
            if (!ids.has(link.operationId)) throw new Error(`link ${name} names no operation: ${link.operationId}`);
          }
        }
      }
    }
    // What every request string must also be, as the edge checks it: free of NUL characters.
    for (const item of Object.values(document.paths ?? {})) {
      for (const operation of Object.values(item as Record<string, { parameters?: { schema?: unknown }[]; requestBody?: { content?: Record<string, { schema?: unknown }> } }>)) {
        for (const parameter of operation.parameters ?? []) noNul(parameter.schema);
        for (const media of Object.values(operation.requestBody?.content ?? {})) noNul(media.schema);
      }
    }
    return document;
  }
}
