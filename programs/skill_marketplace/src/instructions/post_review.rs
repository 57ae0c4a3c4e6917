use anchor_lang::prelude::*;

use crate::{
    constants::{LAYOUT_VERSION, SEED_LICENSE, SEED_REVIEW, SEED_SKILL},
    errors::MarketplaceError,
    events::ReviewPosted,
    state::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ReviewArgs {
    pub rating: u8,
    /// IPFS CID of the review text.
    pub text_cid: String,
}

#[event_cpi]
#[derive(Accounts)]
pub struct PostReview<'info> {
    #[account(mut)]
    pub reviewer: Signer<'info>,
    #[account(
        mut,
        seeds = [SEED_SKILL, skill.author.as_ref(), skill.slug.as_bytes()],
        bump = skill.bump
    )]
    pub skill: Account<'info, Skill>,
    #[account(
        seeds = [SEED_LICENSE, skill.key().as_ref(), reviewer.key().as_ref()],
        bump = license.bump,
        constraint = license.buyer == reviewer.key() @ MarketplaceError::NotLicenseHolder,
        constraint = license.skill == skill.key() @ MarketplaceError::LicenseSkillMismatch
    )]
    pub license: Account<'info, License>,
    #[account(
        init,
        payer = reviewer,
        space = 8 + Review::INIT_SPACE,
        seeds = [SEED_REVIEW, skill.key().as_ref(), reviewer.key().as_ref()],
        bump
    )]
    pub review: Account<'info, Review>,
    pub system_program: Program<'info, System>,
}

/// Specification:
/// - Only a holder of a license for this skill (the license account must exist and be theirs),
///   and only a license that was used: paid for, and for a usage license at least one unit
///   recorded.
/// - One review per (skill, reviewer); rating 1–5; text given as an IPFS CID.
/// - The rating weighs what the reviewer paid for the license (stored on the review); it is
///   added to the skill's plain and weighted sums.
pub fn handler(ctx: Context<PostReview>, args: ReviewArgs) -> Result<()> {
    Review::validate(args.rating, &args.text_cid)?;
    let license = &ctx.accounts.license;
    license.can_review()?;
    let weight = license.paid;
    let clock = Clock::get()?;
    let skill = &mut ctx.accounts.skill;
    skill.apply_rating(None, Some((args.rating, weight)))?;
    let review = &mut ctx.accounts.review;
    review.set_inner(Review {
        layout: LAYOUT_VERSION,
        skill: skill.key(),
        reviewer: ctx.accounts.reviewer.key(),
        rating: args.rating,
        weight,
        text_cid: args.text_cid,
        created_at: clock.unix_timestamp,
        updated_at: clock.unix_timestamp,
        bump: ctx.bumps.review,
        reserved: [0; 32],
    });
    crate::emit_event!(ctx, ReviewPosted {
        review: review.key(),
        skill: review.skill,
        reviewer: review.reviewer,
        rating: review.rating,
        weight,
        text_cid: review.text_cid.clone(),
        skill_rating_sum: skill.rating_sum,
        skill_rating_count: skill.rating_count,
        skill_weighted_rating_sum: skill.weighted_rating_sum,
        skill_rating_weight: skill.rating_weight,
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
