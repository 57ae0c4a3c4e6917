use anchor_lang::prelude::*;

use crate::{
    constants::SEED_AGENT, errors::MarketplaceError, events::AgentUpdated, state::Agent,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UpdateAgentArgs {
    pub name: String,
    pub metadata_uri: String,
}

#[event_cpi]
#[derive(Accounts)]
pub struct UpdateAgent<'info> {
    pub wallet: Signer<'info>,
    #[account(
        mut,
        seeds = [SEED_AGENT, wallet.key().as_ref()],
        bump = agent.bump,
        has_one = wallet @ MarketplaceError::Unauthorized
    )]
    pub agent: Account<'info, Agent>,
}

/// Specification:
/// - Only the agent's wallet; same limits as registration.
pub fn handler(ctx: Context<UpdateAgent>, args: UpdateAgentArgs) -> Result<()> {
    Agent::validate_profile(&args.name, &args.metadata_uri)?;
    let agent = &mut ctx.accounts.agent;
    agent.name = args.name;
    agent.metadata_uri = args.metadata_uri;
    let clock = Clock::get()?;
    crate::emit_event!(ctx, AgentUpdated {
        agent: agent.key(),
        wallet: agent.wallet,
        name: agent.name.clone(),
        metadata_uri: agent.metadata_uri.clone(),
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
