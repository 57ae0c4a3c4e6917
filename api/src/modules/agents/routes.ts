// Agent registration by signed message, API keys, profiles, and an agent's public page.
import { z } from "zod";
import type { ApiRouter } from "../../http/route.js";
import { Pubkey } from "../../http/schemas.js";
import { SkillSchema } from "../skills/routes.js";
import type { AgentDirectory } from "./directory.js";
import type { Agents, Profile } from "./service.js";

const KeySchema = z
  .object({
    id: z.string(),
    prefix: z.string(),
    label: z.string().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi("ApiKey");

const IssuedKey = z.object({
  apiKey: z.string().openapi({ description: "shown once; store it now" }),
  key: KeySchema,
});

export const ProfileSchema = z
  .object({
    wallet: z.string(),
    displayName: z.string().nullable(),
    description: z.string().nullable(),
    website: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("AgentProfile");

export const profileView = (p: Profile) => ({
  ...p,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

const ProfilePatch = z
  .object({
    displayName: z.string().trim().min(1).max(64).nullable().optional(),
    description: z.string().trim().max(2_000).nullable().optional(),
    website: z.url({ protocol: /^https?$/ }).max(200).nullable().optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, "give at least one field to change")
  .openapi({ minProperties: 1 });

export function agentRoutes(api: ApiRouter, agents: Agents, directory: AgentDirectory): void {
  api.add({
    method: "post",
    path: "/agents/nonce",
    summary: "Get a sign-in message (domain, wallet, nonce, issued-at, expiry) for the wallet to sign",
    tag: "agents",
    body: z.object({ wallet: Pubkey }),
    response: z.object({ message: z.string(), nonce: z.string(), issuedAt: z.string(), expiresAt: z.string() }),
    status: 201,
    handler: ({ body }) => agents.challenge(body.wallet),
  });

  api.add({
    method: "post",
    path: "/agents",
    summary: "Register (or sign in) with the signed message; returns an API key, shown once",
    tag: "agents",
    body: z.object({
      wallet: Pubkey,
      message: z.string().min(1).max(2_000),
      signature: z.string().min(64).max(100).openapi({ description: "base58 ed25519 signature of `message`" }),
      label: z.string().max(64).optional(),
    }),
    response: IssuedKey.extend({ created: z.boolean(), wallet: z.string() }),
    links: { profile: { to: "get /agents/:wallet", parameters: { wallet: "$response.body#/wallet" } } },
    status: 201,
    errors: [401],
    handler: ({ body }) => agents.register(body),
  });

  api.add({
    method: "get",
    path: "/agents/me",
    summary: "The calling agent's profile",
    tag: "agents",
    auth: "required",
    response: ProfileSchema,
    errors: [404],
    handler: async ({ caller }) => profileView(await agents.profile(caller!.wallet)),
  });

  api.add({
    method: "get",
    path: "/agents/me/keys",
    summary: "The calling agent's API keys (prefixes only)",
    tag: "agents",
    auth: "required",
    response: z.array(KeySchema),
    handler: ({ caller }) => agents.keys(caller!),
  });

  api.add({
    method: "post",
    path: "/agents/me/keys",
    summary: "Issue a new API key (rotation: `revokeCurrent` revokes the key making this call)",
    tag: "agents",
    auth: "required",
    body: z.object({ label: z.string().max(64).optional(), revokeCurrent: z.boolean().optional() }).strict(),
    response: IssuedKey,
    links: { revoke: { to: "delete /agents/me/keys/:keyId", parameters: { keyId: "$response.body#/key/id" } } },
    status: 201,
    handler: ({ caller, body }) => agents.rotate(caller!, body),
  });

  api.add({
    method: "delete",
    path: "/agents/me/keys/:keyId",
    summary: "Revoke one of the calling agent's keys",
    tag: "agents",
    auth: "required",
    params: z.object({ keyId: z.uuid() }),
    response: { contentType: "text/plain", description: "revoked (no content)" },
    status: 204,
    errors: [404],
    handler: ({ caller, params }) => agents.revoke(caller!, params.keyId),
  });

  api.add({
    method: "patch",
    path: "/agents/:wallet",
    summary: "Update an agent's profile (only its own)",
    tag: "agents",
    auth: "required",
    params: z.object({ wallet: Pubkey }),
    body: ProfilePatch,
    response: ProfileSchema,
    errors: [403],
    handler: async ({ caller, params, body }) => profileView(await agents.updateProfile(caller!, params.wallet, body)),
  });

  // After /agents/me: a path parameter would take "me" for a wallet.
  api.add({
    method: "get",
    path: "/agents/:wallet",
    summary: "An agent: on-chain profile, skills and seller reputation",
    tag: "agents",
    params: z.object({ wallet: Pubkey }),
    response: z.object({
      wallet: z.string(),
      name: z.string().nullable(),
      metadataUri: z.string().nullable(),
      registeredAt: z.string().nullable(),
      profile: z.object({ displayName: z.string().nullable(), description: z.string().nullable(), website: z.string().nullable() }).nullable(),
      reputation: z
        .object({ score: z.number(), weightedRating: z.number(), sales: z.string(), qualityMultiplier: z.number() })
        .nullable(),
      skills: z.array(SkillSchema),
    }),
    errors: [404],
    handler: ({ params }) => directory.agent(params.wallet),
  });
}
