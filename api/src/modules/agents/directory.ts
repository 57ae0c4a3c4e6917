// The public page of an agent: its on-chain profile, its off-chain profile, its skills and its
// seller reputation (computed by the indexer, see indexer/src/reputation.ts).
import { notFound } from "../../errors.js";
import { skillView } from "../skills/service.js";
import type { SkillStore } from "../skills/store.js";
import type { AgentDirectoryStore } from "./store.js";

export class AgentDirectory {
  constructor(
    private readonly store: AgentDirectoryStore,
    private readonly skills: SkillStore,
  ) {}

  async agent(wallet: string) {
    const [agent, reputation, skills, profile] = await Promise.all([
      this.store.onChain(wallet),
      this.store.reputation(wallet),
      this.skills.byAuthor(wallet, "newest", 100),
      this.store.profile(wallet),
    ]);
    if (!agent && !profile) throw notFound(`agent ${wallet}`);
    return {
      wallet,
      name: agent?.name ?? null,
      metadataUri: agent?.metadataUri ?? null,
      registeredAt: agent?.registeredAt.toISOString() ?? null,
      profile: profile ? { displayName: profile.displayName, description: profile.description, website: profile.website } : null,
      reputation: reputation
        ? {
            score: Number(reputation.reputation),
            weightedRating: Number(reputation.weightedRating),
            sales: reputation.sales.toFixed(0),
            qualityMultiplier: Number(reputation.qualityMultiplier),
          }
        : null,
      skills: skills.map(skillView),
    };
  }
}
