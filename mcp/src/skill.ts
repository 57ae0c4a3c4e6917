// One skill as an MCP server of its own: one tool per endpoint of the skill's API (from its docs, as published), the
// endpoint's input JSON Schema as the tool's, and a call = one execute with the caller's license. The license token
// comes from the local keypair (stdio) or with each call (HTTP: the X-License-Token header of the request, or
// `_meta["skill-marketplace/licenseToken"]`).
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import type { Keypair } from "@solana/web3.js";
import { skillEndpoints, type JsonSchema } from "@skill-marketplace/sdk";
import { ApiError, type MarketplaceClient } from "./client.js";
import { licenseTokenFor, runTool, SERVER_INFO } from "./server.js";

export const LICENSE_TOKEN_META = "skill-marketplace/licenseToken";

type SkillDetails = { id: string; name: string; slug: string; description?: string; apiSpec: unknown; docs: { status: string; reason: string | null } };

export interface SkillTool {
  endpoint: string;
  name: string;
  description: string;
  inputSchema: JsonSchema & { type: "object" };
  /** The endpoint's input is not an object: the tool takes it as `input`. */
  wrapped: boolean;
  outputSchema?: JsonSchema & { type: "object" };
}

const isObjectSchema = (s: unknown): s is JsonSchema & { type: "object" } => typeof s === "object" && s !== null && (s as JsonSchema).type === "object";

/** The tools of a skill from its published API spec (sdk skillEndpoints); empty when the skill has none. */
export function skillTools(skill: SkillDetails): SkillTool[] {
  return skillEndpoints(skill.apiSpec).map((e) => {
    const wrapped = !isObjectSchema(e.input);
    return {
      endpoint: e.name,
      name: e.name,
      // Seller-written: shown as data, bounded in length (by the sdk).
      description: `${skill.name}: ${e.summary}`,
      inputSchema: wrapped ? { type: "object", properties: { input: e.input }, required: ["input"] } : (e.input as JsonSchema & { type: "object" }),
      wrapped,
      outputSchema: isObjectSchema(e.output) ? e.output : undefined,
    };
  });
}

export interface SkillServerOptions {
  client: MarketplaceClient;
  /** The skill's details as GET /skills/:id answers them. */
  skill: SkillDetails;
  keypair?: Keypair;
  audience: string;
}

export function skillMcpServer(o: SkillServerOptions): Server {
  const tools = skillTools(o.skill);
  const server = new Server({ ...SERVER_INFO, name: `skill-marketplace/${o.skill.slug}`, title: o.skill.name }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema, ...(t.outputSchema ? { outputSchema: t.outputSchema } : {}) })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = tools.find((t) => t.name === request.params.name);
    if (!tool) return { content: [{ type: "text", text: `not_found: ${o.skill.name} has no endpoint ${JSON.stringify(request.params.name)}` }], isError: true };
    const args = request.params.arguments ?? {};
    const header = extra.requestInfo?.headers?.["x-license-token"];
    const given = (request.params._meta?.[LICENSE_TOKEN_META] as string | undefined) ?? (Array.isArray(header) ? header[0] : header);
    const result = await runTool(async () => {
      if (!o.client.signedIn) {
        if (!o.keypair) throw new ApiError(401, "unauthorized", "an API key is required: Authorization: Bearer sk_…");
        await o.client.signIn(o.keypair);
      }
      const token = given ?? (o.keypair ? licenseTokenFor(o.keypair, o.skill.id, o.audience) : undefined);
      if (!token) throw new ApiError(400, "license_token_required", `each call needs a license token: the X-License-Token header or _meta["${LICENSE_TOKEN_META}"]`);
      const payload = tool.wrapped ? (args as { input?: unknown }).input : args;
      const answer = await o.client.call<{ result: unknown; usage: Record<string, unknown> }>("POST", `/skills/${o.skill.id}/execute`, { endpoint: tool.endpoint, payload }, { "x-license-token": token });
      return { result: answer.result, usage: answer.usage };
    });
    if (result.isError || !result.structuredContent) return result;
    // The skill's answer is the tool's result; the receipt rides along in _meta.
    const { result: output, usage } = result.structuredContent as { result: unknown; usage: Record<string, unknown> };
    return {
      content: [{ type: "text", text: JSON.stringify(output) }],
      ...(tool.outputSchema && typeof output === "object" && output !== null && !Array.isArray(output) ? { structuredContent: output as Record<string, unknown> } : {}),
      _meta: { "skill-marketplace/usage": usage },
    };
  });
  return server;
}
