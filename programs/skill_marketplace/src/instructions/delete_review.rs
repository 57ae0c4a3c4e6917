use anchor_lang::prelude::*;

use crate::{
    constants::{SEED_REVIEW, SEED_SKILL},
    errors::MarketplaceError,
    events::ReviewDeleted,
    state::*,
};

#[event_cpi]
#[derive(Accounts)]
pub struct DeleteReview<'info> {
    #[account(mut)]
    pub reviewer: Signer<'info>,
    #[account(
        mut,
        seeds = [SEED_SKILL, skill.author.as_ref(), skill.slug.as_bytes()],
        bump = skill.bump
    )]
    pub skill: Account<'info, Skill>,
    #[account(
        mut,
        seeds = [SEED_REVIEW, skill.key().as_ref(), reviewer.key().as_ref()],
        bump = review.bump,
        has_one = reviewer @ MarketplaceError::Unauthorized,
        has_one = skill @ MarketplaceError::Unauthorized,
        close = reviewer
    )]
    pub review: Account<'info, Review>,
}

/// Specification:
/// - Only the review's author, with or without a live license; the review's rating and weight
///   leave the skill's sums and its rent goes back to the reviewer.
pub fn handler(ctx: Context<DeleteReview>) -> Result<()> {
    let clock = Clock::get()?;
    let skill = &mut ctx.accounts.skill;
    let review = &ctx.accounts.review;
    skill.apply_rating(Some((review.rating, review.weight)), None)?;
    crate::emit_event!(ctx, ReviewDeleted {
        review: review.key(),
        skill: skill.key(),
        reviewer: review.reviewer,
        rating: review.rating,
        weight: review.weight,
        skill_rating_sum: skill.rating_sum,
        skill_rating_count: skill.rating_count,
        skill_weighted_rating_sum: skill.weighted_rating_sum,
        skill_rating_weight: skill.rating_weight,
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
