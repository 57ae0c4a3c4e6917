//! `register_agent` and `update_agent`: one profile per wallet, limits, owner-only updates.

mod common;

use common::*;
use skill_marketplace::{
    accounts as acc, errors::MarketplaceError, events::{AgentRegistered, AgentUpdated},
    instruction as ixn, instructions::UpdateAgentArgs, state::Agent,
};
use solana_instruction::error::InstructionError;
use solana_signer::Signer;

fn update_agent_ix(wallet: &anchor_lang::prelude::Pubkey, name: &str, uri: &str) -> solana_instruction::Instruction {
    ix(
        acc::UpdateAgent { wallet: *wallet, agent: agent_pda(wallet) },
        ixn::UpdateAgent { args: UpdateAgentArgs { name: name.into(), metadata_uri: uri.into() } },
    )
}

#[test]
fn registers_a_profile() {
    let mut env = Env::new();
    let wallet = env.funded(SOL);
    let ix = register_agent_ix(&wallet.pubkey(), "ocr-bot", "ipfs://bafyagent");
    let meta = env.send(&[ix], &[&wallet]).expect("register");
    let agent: Agent = env.account(&agent_pda(&wallet.pubkey()));
    assert_eq!((agent.wallet, agent.name.as_str(), agent.metadata_uri.as_str()), (wallet.pubkey(), "ocr-bot", "ipfs://bafyagent"));
    assert_eq!((agent.skills_published, agent.registered_at), (0, START_TIME));
    let e: AgentRegistered = one_event(&meta);
    assert_eq!((e.wallet, e.name.as_str()), (wallet.pubkey(), "ocr-bot"));
}

#[test]
fn second_registration_fails() {
    let mut env = Env::new();
    let wallet = env.funded(SOL);
    env.register_agent(&wallet, "ocr-bot");
    let ix = register_agent_ix(&wallet.pubkey(), "again", "");
    env.expect_failure(&[ix], &[&wallet], InstructionError::Custom(0));
}

#[test]
fn rejects_bad_names_and_uris() {
    let mut env = Env::new();
    let wallet = env.funded(SOL);
    for (name, uri, err) in [
        ("", "", MarketplaceError::InvalidName),
        (&"n".repeat(33) as &str, "", MarketplaceError::InvalidName),
        ("ok", &"u".repeat(129) as &str, MarketplaceError::InvalidUri),
    ] {
        let ix = register_agent_ix(&wallet.pubkey(), name, uri);
        env.expect_failure(&[ix], &[&wallet], program_error(err));
    }
    let ix = register_agent_ix(&wallet.pubkey(), &"n".repeat(32), &"u".repeat(128));
    env.send(&[ix], &[&wallet]).expect("limits are inclusive");
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
