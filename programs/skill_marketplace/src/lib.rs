//! Skill marketplace: a registry of agent skills, licenses sold in SOL or SPL tokens with a
//! seller / platform split (2.5 % by default, rounded up), usage metering by registered meter
//! authorities, and reviews by license holders. This file only dispatches; each instruction
//! lives in `instructions/`.

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

    /// Creates the marketplace configuration and its fee vault; only the program's upgrade
    /// authority may, and it becomes admin.
    pub fn initialize_marketplace(
        ctx: Context<InitializeMarketplace>,
        args: InitializeMarketplaceArgs,
    ) -> Result<()> {
        instructions::initialize_marketplace::handler(ctx, args)
    }

    /// Admin changes treasury, pauser, notice period, or schedules a fee change.
    pub fn update_marketplace(ctx: Context<AdminOnly>, args: UpdateMarketplaceArgs) -> Result<()> {
        instructions::update_marketplace::handler(ctx, args)
    }

    /// Admin proposes the next admin (or withdraws the proposal with `None`).
    pub fn propose_admin(ctx: Context<AdminOnly>, new_admin: Option<Pubkey>) -> Result<()> {
        instructions::roles::propose_admin(ctx, new_admin)
    }

    /// The proposed admin accepts and becomes admin.
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        instructions::roles::accept_admin(ctx)
    }

    /// Admin or pauser pauses or unpauses the marketplace.
    pub fn set_paused(ctx: Context<SetPaused>, paused: bool) -> Result<()> {
        instructions::roles::set_paused(ctx, paused)
    }

    /// Admin registers a key allowed to record usage.
    pub fn add_meter_authority(ctx: Context<AddMeterAuthority>, authority: Pubkey) -> Result<()> {
        instructions::meters::add(ctx, authority)
    }

    /// Admin revokes a meter authority.
    pub fn revoke_meter_authority(ctx: Context<RevokeMeterAuthority>) -> Result<()> {
        instructions::meters::revoke(ctx)
    }

    /// Admin moves SOL fees from the fee vault to the treasury.
    pub fn withdraw_fees(ctx: Context<WithdrawFees>, amount: u64) -> Result<()> {
        instructions::withdraw_fees::handler(ctx, amount)
    }

    /// Admin accepts an SPL mint as a currency.
    pub fn add_currency(ctx: Context<AddCurrency>) -> Result<()> {
        instructions::currencies::add(ctx)
    }

    /// Admin stops accepting an SPL mint for new skills.
    pub fn remove_currency(ctx: Context<RemoveCurrency>) -> Result<()> {
        instructions::currencies::remove(ctx)
    }

    /// Admin suspends a skill with a reason (`Some(cid)`) or lifts the suspension (`None`).
    pub fn set_skill_suspension(ctx: Context<SetSkillSuspension>, reason_cid: Option<String>) -> Result<()> {
        instructions::suspend_skill::handler(ctx, reason_cid)
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

    /// Anyone splits what pay-per-call payments left in a skill's vault: the seller's share to
    /// the author, the fee to the treasury, by the purchase rule.
    pub fn split_vault(ctx: Context<SplitVault>) -> Result<()> {
        instructions::split_vault::handler(ctx)
    }

    /// A registered meter authority records a batch of units used under a license.
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

    /// A reviewer deletes their review.
    pub fn delete_review(ctx: Context<DeleteReview>) -> Result<()> {
        instructions::delete_review::handler(ctx)
    }

    /// The buyer closes a spent license and gets its rent back.
    pub fn close_license(ctx: Context<CloseLicense>) -> Result<()> {
        instructions::close_license::handler(ctx)
    }
}
