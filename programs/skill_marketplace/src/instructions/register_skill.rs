use anchor_lang::prelude::*;

use crate::{
    constants::{LAYOUT_VERSION, SEED_AGENT, SEED_MARKETPLACE, SEED_SKILL},
    errors::MarketplaceError,
    events::SkillRegistered,
    state::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RegisterSkillArgs {
    pub slug: String,
    pub version: Semver,
    pub category: String,
    pub pricing: Pricing,
    pub price: u64,
    pub provenance: Provenance,
}

#[event_cpi]
#[derive(Accounts)]
#[instruction(args: RegisterSkillArgs)]
pub struct RegisterSkill<'info> {
    #[account(mut)]
    pub author: Signer<'info>,
    #[account(mut, seeds = [SEED_MARKETPLACE], bump = marketplace.bump)]
    pub marketplace: Account<'info, Marketplace>,
    #[account(
        mut,
        seeds = [SEED_AGENT, author.key().as_ref()],
        bump = agent.bump,
        constraint = agent.wallet == author.key() @ MarketplaceError::Unauthorized
    )]
    pub agent: Account<'info, Agent>,
    #[account(
        init,
        payer = author,
        space = 8 + Skill::INIT_SPACE,
        seeds = [SEED_SKILL, author.key().as_ref(), args.slug.as_bytes()],
        bump
    )]
    pub skill: Account<'info, Skill>,
    /// The accepted currency (`Currency` account of its mint) the skill is priced in; omit to
    /// price in SOL.
    /// CHECK: must be a `Currency` account of this program (checked in the handler, so that any
    /// other account gets CurrencyNotAllowed).
    pub currency: Option<UncheckedAccount<'info>>,
    pub system_program: Program<'info, System>,
}

/// Specification:
/// - The author signs and must have a registered agent profile; blocked while paused.
/// - Slug 3–32 chars of [a-z0-9-], unique per author (it seeds the skill's address).
/// - Category 1–32 chars of [a-z0-9-]; price > 0; subscription interval ≥ 1 hour;
///   usage pricing sells ≥ 1 unit per purchase; provenance CID valid, SHA and digest non-zero.
/// - The skill starts active; currency is SOL or an accepted mint (one the admin added to the
///   allowlist), fixed for the skill's life.
pub fn handler(ctx: Context<RegisterSkill>, args: RegisterSkillArgs) -> Result<()> {
    ctx.accounts.marketplace.require_open()?;
    validate_slug(&args.slug)?;
    validate_category(&args.category)?;
    args.pricing.validate()?;
    validate_price(args.price)?;
    args.provenance.validate()?;

    let clock = Clock::get()?;
    let currency = match &ctx.accounts.currency {
        None => None,
        Some(account) => {
            require_keys_eq!(*account.owner, crate::ID, MarketplaceError::CurrencyNotAllowed);
            let data = account.try_borrow_data()?;
            let accepted = Currency::try_deserialize(&mut &data[..])
                .map_err(|_| error!(MarketplaceError::CurrencyNotAllowed))?;
            Some(accepted.mint)
        }
    };
    let skill = &mut ctx.accounts.skill;
    skill.set_inner(Skill {
        layout: LAYOUT_VERSION,
        author: ctx.accounts.author.key(),
        slug: args.slug,
        version: args.version,
        category: args.category,
        pricing: args.pricing,
        price: args.price,
        currency,
        provenance: args.provenance,
        pending_version: None,
        pending_price: None,
        active: true,
        suspended: false,
        suspension_cid: String::new(),
        sales: 0,
        revenue: 0,
        rating_sum: 0,
        rating_count: 0,
        weighted_rating_sum: 0,
        rating_weight: 0,
        created_at: clock.unix_timestamp,
        updated_at: clock.unix_timestamp,
        bump: ctx.bumps.skill,
        reserved: [0; 64],
    });

    let agent = &mut ctx.accounts.agent;
    agent.skills_published = agent
        .skills_published
        .checked_add(1)
        .ok_or(MarketplaceError::MathOverflow)?;
    let marketplace = &mut ctx.accounts.marketplace;
    marketplace.skill_count = marketplace
        .skill_count
        .checked_add(1)
        .ok_or(MarketplaceError::MathOverflow)?;

    crate::emit_event!(ctx, SkillRegistered {
        skill: skill.key(),
        author: skill.author,
        slug: skill.slug.clone(),
        version: skill.version,
        category: skill.category.clone(),
        pricing: skill.pricing,
        price: skill.price,
        currency: skill.currency,
        provenance: skill.provenance.clone(),
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
