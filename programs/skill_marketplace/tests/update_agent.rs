//! `update_agent`: only the profile's wallet, same limits as registration, event.

mod common;

use common::*;
use skill_marketplace::{
    accounts as acc, errors::MarketplaceError, events::AgentUpdated, instruction as ixn,
    instructions::UpdateAgentArgs, state::Agent,
};
use solana_signer::Signer;

fn update_agent_ix(wallet: &anchor_lang::prelude::Pubkey, name: &str, uri: &str) -> solana_instruction::Instruction {
    ix(
        acc::UpdateAgent { wallet: *wallet, agent: agent_pda(wallet), event_authority: event_authority(), program: program_id() },
        ixn::UpdateAgent { args: UpdateAgentArgs { name: name.into(), metadata_uri: uri.into() } },
    )
}

#[test]
fn owner_updates_profile_and_others_cannot() {
    let mut env = Env::new();
    let wallet = env.funded(SOL);
    env.register_agent(&wallet, "ocr-bot");
    let meta = env.send(&[update_agent_ix(&wallet.pubkey(), "ocr-bot-2", "https://x.example")], &[&wallet]).expect("update");
    let agent: Agent = env.account(&agent_pda(&wallet.pubkey()));
    assert_eq!((agent.name.as_str(), agent.metadata_uri.as_str()), ("ocr-bot-2", "https://x.example"));
    let e: AgentUpdated = one_event(&meta);
    assert_eq!(e.name, "ocr-bot-2");

    let stranger = env.funded(SOL);
    let mut ix = update_agent_ix(&wallet.pubkey(), "hijacked", "");
    ix.accounts[0] = solana_instruction::AccountMeta::new_readonly(stranger.pubkey(), true);
    // The agent PDA is derived from the signer, so someone else's profile does not match.
    env.expect_failure(&[ix], &[&stranger], anchor_error(anchor_lang::error::ErrorCode::ConstraintSeeds));
    let ix = update_agent_ix(&wallet.pubkey(), "", "");
    env.expect_failure(&[ix], &[&wallet], program_error(MarketplaceError::InvalidName));
}
