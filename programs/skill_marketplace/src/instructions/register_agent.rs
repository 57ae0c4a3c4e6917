use anchor_lang::prelude::*;

use crate::{
    constants::{LAYOUT_VERSION, SEED_AGENT, SEED_MARKETPLACE},
    events::AgentRegistered,
    state::{Agent, Marketplace},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RegisterAgentArgs {
    pub name: String,
    pub metadata_uri: String,
}

#[event_cpi]
#[derive(Accounts)]
pub struct RegisterAgent<'info> {
    #[account(mut)]
    pub wallet: Signer<'info>,
    #[account(seeds = [SEED_MARKETPLACE], bump = marketplace.bump)]
    pub marketplace: Account<'info, Marketplace>,
    #[account(
        init,
        payer = wallet,
        space = 8 + Agent::INIT_SPACE,
        seeds = [SEED_AGENT, wallet.key().as_ref()],
        bump
    )]
    pub agent: Account<'info, Agent>,
    pub system_program: Program<'info, System>,
}

/// Specification:
/// - One agent profile per wallet, signed by that wallet; blocked while paused.
/// - Name 1–32 bytes, metadata URI ≤ 128 bytes.
pub fn handler(ctx: Context<RegisterAgent>, args: RegisterAgentArgs) -> Result<()> {
    ctx.accounts.marketplace.require_open()?;
    Agent::validate_profile(&args.name, &args.metadata_uri)?;
    let clock = Clock::get()?;
    let agent = &mut ctx.accounts.agent;
    agent.set_inner(Agent {
        layout: LAYOUT_VERSION,
        wallet: ctx.accounts.wallet.key(),
        name: args.name,
        metadata_uri: args.metadata_uri,
        skills_published: 0,
        registered_at: clock.unix_timestamp,
        bump: ctx.bumps.agent,
        reserved: [0; 32],
    });
    crate::emit_event!(ctx, AgentRegistered {
        agent: agent.key(),
        wallet: agent.wallet,
        name: agent.name.clone(),
        metadata_uri: agent.metadata_uri.clone(),
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
