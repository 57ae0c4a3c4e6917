use anchor_lang::prelude::*;

use crate::{
    constants::{SEED_LICENSE, SEED_REVIEW, SEED_SKILL},
    errors::MarketplaceError,
    events::ReviewUpdated,
    instructions::ReviewArgs,
    state::*,
};

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
/// - Only the review's author, while still holding a license for the skill.
/// - Rating 1–5 and a valid CID; the skill's rating sum swaps the old rating for the new one.
pub fn handler(ctx: Context<UpdateReview>, args: ReviewArgs) -> Result<()> {
    Review::validate(args.rating, &args.text_cid)?;
    let clock = Clock::get()?;
    let skill = &mut ctx.accounts.skill;
    let review = &mut ctx.accounts.review;
    let previous_rating = review.rating;
    skill.apply_rating(Some(previous_rating), args.rating)?;
    review.rating = args.rating;
    review.text_cid = args.text_cid;
    review.updated_at = clock.unix_timestamp;
    emit!(ReviewUpdated {
        review: review.key(),
        skill: review.skill,
        reviewer: review.reviewer,
        previous_rating,
        rating: review.rating,
        text_cid: review.text_cid.clone(),
        skill_rating_sum: skill.rating_sum,
        skill_rating_count: skill.rating_count,
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
