use anchor_lang::prelude::*;

use crate::{
    constants::{SEED_LICENSE, SEED_REVIEW, SEED_SKILL},
    errors::MarketplaceError,
    events::ReviewUpdated,
    instructions::ReviewArgs,
    state::*,
};

#[event_cpi]
#[derive(Accounts)]
pub struct UpdateReview<'info> {
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
        mut,
        seeds = [SEED_REVIEW, skill.key().as_ref(), reviewer.key().as_ref()],
        bump = review.bump,
        has_one = reviewer @ MarketplaceError::Unauthorized,
        has_one = skill @ MarketplaceError::Unauthorized
    )]
    pub review: Account<'info, Review>,
}

/// Specification:
/// - Only the review's author, while their license for the skill is live (not an expired
///   subscription, not a used-up usage license); a lapsed license's review keeps its weight and
///   can only be deleted.
/// - Rating 1–5 and a valid CID; the weight becomes what the license has been paid so far, and
///   the skill's sums swap the old rating and weight for the new ones.
pub fn handler(ctx: Context<UpdateReview>, args: ReviewArgs) -> Result<()> {
    Review::validate(args.rating, &args.text_cid)?;
    let clock = Clock::get()?;
    let license = &ctx.accounts.license;
    require!(!license.is_spent(clock.unix_timestamp), MarketplaceError::ReviewLocked);
    license.can_review()?;
    let weight = license.paid;
    let skill = &mut ctx.accounts.skill;
    let review = &mut ctx.accounts.review;
    let (previous_rating, previous_weight) = (review.rating, review.weight);
    skill.apply_rating(Some((previous_rating, previous_weight)), Some((args.rating, weight)))?;
    review.rating = args.rating;
    review.weight = weight;
    review.text_cid = args.text_cid;
    review.updated_at = clock.unix_timestamp;
    crate::emit_event!(ctx, ReviewUpdated {
        review: review.key(),
        skill: review.skill,
        reviewer: review.reviewer,
        previous_rating,
        previous_weight,
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
