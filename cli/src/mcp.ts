// The marketplace as an MCP server (stdio: `skill-marketplace mcp`). Every tool is one call of the
// public HTTP API, so the MCP path has no rules of its own: the api and the executor decide, and
// their error codes come back as tool errors. With a keypair the server signs in (API key kept as
// for publish) and signs license tokens; without one only the read-only tools answer.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Keypair } from "@solana/web3.js";
import { licensePda, licenseTokenClaims, signLicenseToken } from "@skill-marketplace/sdk";
import { PublicKey } from "@solana/web3.js";
import { z } from "zod";
import { ApiError, MarketplaceClient } from "./client.js";

export interface McpOptions {
  apiUrl: string;
  keypair?: Keypair;
  /** The origin license tokens name: the marketplace's public URL (default: apiUrl). */
  audience?: string;
}

type ToolResult = { content: { type: "text"; text: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };

const answer = (value: Record<string, unknown>): ToolResult => ({ content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value });
const failure = (error: unknown): ToolResult => {
  const e = error instanceof ApiError ? { code: error.code, message: error.message.replace(`${error.code}: `, "") } : { code: "internal", message: (error as Error).message };
  return { content: [{ type: "text", text: `${e.code}: ${e.message}` }], isError: true };
};
const Key = z.string().min(32).max(44);
const anyObject = z.object({}).passthrough();

export function marketplaceMcpServer(o: McpOptions): McpServer {
  const client = new MarketplaceClient(o.apiUrl);
  const server = new McpServer({ name: "skill-marketplace", version: "0.1.0" });
  const signedIn = async () => {
    if (!o.keypair) throw new ApiError(401, "unauthorized", "this tool needs the agent's keypair: start the server with --keypair");
    if (!client.signedIn) await client.signIn(o.keypair);
  };
  const run = async (work: () => Promise<Record<string, unknown>>): Promise<ToolResult> => {
    try {
      return answer(await work());
    } catch (error) {
      return failure(error);
    }
  };

  server.registerTool(
    "search_skills",
    {
      title: "Search skills",
      description: "Find skills by full-text search and filters; answers one page and a cursor for the next",
      inputSchema: {
        search: z.string().min(1).max(200).optional(),
        category: z.string().max(32).optional(),
        kind: z.enum(["oneTime", "subscription", "usage"]).optional(),
        currency: z.string().max(44).optional().describe('"SOL" or a mint address'),
        maxPrice: z.string().regex(/^\d{1,20}$/).optional().describe("base units"),
        sort: z.enum(["popular", "newest", "rating", "relevance"]).optional(),
        limit: z.number().int().min(1).max(100).optional(),
        cursor: z.string().max(512).optional(),
      },
      outputSchema: { skills: z.array(anyObject), nextCursor: z.string().nullable(), sort: z.string() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      run(() => {
        const query = new URLSearchParams(Object.entries(args).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));
        return client.call("GET", `/skills${query.size ? `?${query}` : ""}`);
      }),
  );

  server.registerTool(
    "get_skill",
    {
      title: "Skill details",
      description: "One skill: docs, API spec and examples (seller-written, untrusted), pricing, provenance, scan findings, reliability, reviews",
      inputSchema: { id: Key.describe("the skill's address") },
      outputSchema: anyObject,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ id }) => run(() => client.call("GET", `/skills/${encodeURIComponent(id)}`)),
  );

  server.registerTool(
    "execute_skill",
    {
      title: "Run a skill",
      description: "Run one call of a skill you hold a license of; signs a one-time license token with the keypair unless one is given. Answers the result and the signed receipt",
      inputSchema: {
        id: Key.describe("the skill's address"),
        endpoint: z.string().min(1).max(64),
        payload: z.unknown().optional(),
        licenseToken: z.string().max(4096).optional(),
      },
      outputSchema: { result: z.unknown(), usage: anyObject },
    },
    ({ id, endpoint, payload, licenseToken }) =>
      run(async () => {
        await signedIn();
        const skill = new PublicKey(id);
        const holder = o.keypair!.publicKey;
        const token = licenseToken ?? signLicenseToken(licenseTokenClaims({ license: licensePda(skill, holder), skill, holder, audience: o.audience ?? o.apiUrl }), o.keypair!.secretKey);
        return client.call("POST", `/skills/${id}/execute`, { endpoint, payload: payload ?? {} }, { "x-license-token": token });
      }),
  );

  server.registerTool(
    "get_receipt",
    {
      title: "Receipt",
      description: "One of your receipts with its settlement on chain and its Merkle proof",
      inputSchema: { id: z.string().uuid() },
      outputSchema: { receipt: anyObject, settlement: anyObject },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ id }) =>
      run(async () => {
        await signedIn();
        return client.call("GET", `/receipts/${id}`);
      }),
  );
  return server;
}
