//! Skill marketplace: a registry of agent skills, licenses sold in SOL or SPL tokens with a
//! 97.5 / 2.5 seller / platform split, usage metering by the executor, and reviews by license
//! holders. This file only dispatches; each instruction lives in `instructions/`.

use anchor_lang::prelude::*;

pub mod constants;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod state;

use instructions::*;

declare_id!("6BLb6oEqneAo7Rg4kBJcCWczWquTQnRNexJXYGW571nk");

#[program]
pub mod skill_marketplace {
    use super::*;

    /// Creates the marketplace configuration; the signer becomes admin.
    pub fn initialize_marketplace(
        ctx: Context<InitializeMarketplace>,
        args: InitializeMarketplaceArgs,
    ) -> Result<()> {
        instructions::initialize_marketplace::handler(ctx, args)
    }

    /// Admin changes treasury, fee, meter authority, pause flag or admin.
    pub fn update_marketplace(
        ctx: Context<UpdateMarketplace>,
        args: UpdateMarketplaceArgs,
    ) -> Result<()> {
        instructions::update_marketplace::handler(ctx, args)
    }

    /// A wallet creates its agent profile.
    pub fn register_agent(ctx: Context<RegisterAgent>, args: RegisterAgentArgs) -> Result<()> {
        instructions::register_agent::handler(ctx, args)
    }

    /// An agent updates its profile.
    pub fn update_agent(ctx: Context<UpdateAgent>, args: UpdateAgentArgs) -> Result<()> {
        instructions::update_agent::handler(ctx, args)
    }

    /// An agent publishes a skill.
    pub fn register_skill(ctx: Context<RegisterSkill>, args: RegisterSkillArgs) -> Result<()> {
        instructions::register_skill::handler(ctx, args)
    }

    /// The author publishes a new version (and provenance) of a skill.
    pub fn update_skill(ctx: Context<UpdateSkill>, args: UpdateSkillArgs) -> Result<()> {
        instructions::update_skill::handler(ctx, args)
    }

    /// The author delists or relists a skill.
    pub fn set_skill_active(ctx: Context<SetSkillActive>, active: bool) -> Result<()> {
        instructions::set_skill_active::handler(ctx, active)
    }

    /// Buys (or renews / tops up) a license for a skill priced in SOL.
    pub fn purchase_license<'info>(
        ctx: Context<'_, '_, 'info, 'info, PurchaseLicense<'info>>,
        args: PurchaseLicenseArgs,
    ) -> Result<()> {
        instructions::purchase_license::handler(ctx, args)
    }

    /// Buys (or renews / tops up) a license for a skill priced in an SPL token.
    pub fn purchase_license_spl<'info>(
        ctx: Context<'_, '_, 'info, 'info, PurchaseLicenseSpl<'info>>,
        args: PurchaseLicenseArgs,
    ) -> Result<()> {
        instructions::purchase_license_spl::handler(ctx, args)
    }

    /// The meter authority records units used under a license.
    pub fn record_usage(ctx: Context<RecordUsage>, args: RecordUsageArgs) -> Result<()> {
        instructions::record_usage::handler(ctx, args)
    }

    /// A license holder reviews a skill.
    pub fn post_review(ctx: Context<PostReview>, args: ReviewArgs) -> Result<()> {
        instructions::post_review::handler(ctx, args)
    }

    /// A reviewer changes their review.
    pub fn update_review(ctx: Context<UpdateReview>, args: ReviewArgs) -> Result<()> {
        instructions::update_review::handler(ctx, args)
    }

    /// The buyer closes a spent license and gets its rent back.
    pub fn close_license(ctx: Context<CloseLicense>) -> Result<()> {
        instructions::close_license::handler(ctx)
    }
}
