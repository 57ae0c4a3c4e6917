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
/// - Only a holder of a license for this skill (the license account must exist and be theirs).
/// - One review per (skill, reviewer); rating 1–5; text given as an IPFS CID.
/// - Adds the rating to the skill's rating sum and count.
pub fn handler(ctx: Context<PostReview>, args: ReviewArgs) -> Result<()> {
    Review::validate(args.rating, &args.text_cid)?;
    let clock = Clock::get()?;
    let skill = &mut ctx.accounts.skill;
    skill.apply_rating(None, args.rating)?;
    let review = &mut ctx.accounts.review;
    review.set_inner(Review {
        layout: LAYOUT_VERSION,
        skill: skill.key(),
        reviewer: ctx.accounts.reviewer.key(),
        rating: args.rating,
        text_cid: args.text_cid,
        created_at: clock.unix_timestamp,
        updated_at: clock.unix_timestamp,
        bump: ctx.bumps.review,
        reserved: [0; 32],
    });
    emit!(ReviewPosted {
        review: review.key(),
        skill: review.skill,
        reviewer: review.reviewer,
        rating: review.rating,
        text_cid: review.text_cid.clone(),
        skill_rating_sum: skill.rating_sum,
        skill_rating_count: skill.rating_count,
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
