//! `register_agent`: one profile per wallet, limits, event.

mod common;

use common::*;
use skill_marketplace::{errors::MarketplaceError, events::AgentRegistered, state::Agent};
use solana_instruction::error::InstructionError;
use solana_signer::Signer;

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
