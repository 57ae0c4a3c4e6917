//! `register_skill`: validation of slug, category, pricing, price and provenance; counters,
//! currency, event.

mod common;

use anchor_spl::token::spl_token;
use common::*;
use skill_marketplace::{
    errors::MarketplaceError, events::SkillRegistered, instructions::RegisterSkillArgs, state::*,
};
use solana_signer::Signer;

#[test]
fn registers_a_sol_skill_with_every_field() {
    let mut env = Env::new();
    let author = env.funded(10 * SOL);
    env.register_agent(&author, "seller");
    let args = register_skill_args("web-scrape", Pricing::Subscription { interval_secs: 30 * 86_400 }, 2 * SOL);
    let ix = register_skill_ix_with(&author.pubkey(), args.clone(), None);
    let meta = env.send(&[ix], &[&author]).expect("register");

    let key = skill_pda(&author.pubkey(), "web-scrape");
    let s: Skill = env.account(&key);
    assert_eq!(s.author, author.pubkey());
    assert_eq!(s.slug, "web-scrape");
    assert_eq!(s.version, v(1, 0, 0));
    assert_eq!(s.category, "data-analysis");
    assert_eq!(s.pricing, Pricing::Subscription { interval_secs: 2_592_000 });
    assert_eq!((s.price, s.currency), (2 * SOL, None));
    assert_eq!(s.provenance, args.provenance);
    assert!(s.active);
    assert_eq!((s.sales, s.revenue, s.rating_sum, s.rating_count, s.suspended), (0, 0, 0, 0, false));
    assert_eq!((s.created_at, s.updated_at), (START_TIME, START_TIME));

    let agent: Agent = env.account(&agent_pda(&author.pubkey()));
    assert_eq!(agent.skills_published, 1);
    let m: Marketplace = env.account(&marketplace_pda());
    assert_eq!(m.skill_count, 1);

    let e: SkillRegistered = one_event(&meta);
    assert_eq!((e.skill, e.author, e.slug.as_str(), e.price), (key, author.pubkey(), "web-scrape", 2 * SOL));
    assert_eq!(e.provenance, args.provenance);
}

#[test]
fn registers_a_token_priced_skill() {
    let mut env = Env::new();
    let mint = create_mint(&mut env, &spl_token::ID);
    let author = env.funded(10 * SOL);
    let skill = env.register_skill(&author, "translate", Pricing::Usage { units_per_purchase: 100 }, 5 * USDC, Some(mint.pubkey()));
    let s: Skill = env.account(&skill);
    assert_eq!(s.currency, Some(mint.pubkey()));
    assert_eq!(s.pricing, Pricing::Usage { units_per_purchase: 100 });
}

#[test]
fn a_currency_the_marketplace_has_not_accepted_is_rejected() {
    let mut env = Env::new();
    let author = env.funded(10 * SOL);
    env.register_agent(&author, "seller");
    // A wallet is not a currency; nor is a real mint the admin has not accepted.
    let wallet = env.funded(SOL).pubkey();
    let unlisted = create_unlisted_mint(&mut env, &anchor_spl::token::ID).pubkey();
    for mint in [wallet, unlisted] {
        let ix = register_skill_ix(&author.pubkey(), "translate", Pricing::OneTime, 1, Some(mint));
        env.expect_failure(&[ix], &[&author], program_error(MarketplaceError::CurrencyNotAllowed));
    }
    // Nor any other account of the program put in the currency's place (here: the agent profile,
    // or the mint itself).
    for account in [agent_pda(&author.pubkey()), unlisted] {
        let mut ix = register_skill_ix(&author.pubkey(), "translate", Pricing::OneTime, 1, Some(unlisted));
        ix.accounts[4].pubkey = account;
        env.expect_failure(&[ix], &[&author], program_error(MarketplaceError::CurrencyNotAllowed));
    }
    assert!(!env.exists(&skill_pda(&author.pubkey(), "translate")));
}

#[test]
fn the_same_slug_cannot_be_registered_twice_by_one_author() {
    let mut env = Env::new();
    let author = env.funded(10 * SOL);
    env.register_skill(&author, "summarize", Pricing::OneTime, SOL, None);
    let ix = register_skill_ix(&author.pubkey(), "summarize", Pricing::OneTime, SOL, None);
    env.expect_failure(&[ix], &[&author], solana_instruction::error::InstructionError::Custom(0));
    // Another author may use the same slug.
    let other = env.funded(10 * SOL);
    env.register_skill(&other, "summarize", Pricing::OneTime, SOL, None);
}

#[test]
fn invalid_arguments_are_rejected_with_their_error() {
    let mut env = Env::new();
    let author = env.funded(10 * SOL);
    env.register_agent(&author, "seller");
    let base = || register_skill_args("valid-slug", Pricing::OneTime, SOL);
    let cases: Vec<(RegisterSkillArgs, MarketplaceError)> = vec![
        (RegisterSkillArgs { slug: "ab".into(), ..base() }, MarketplaceError::InvalidSlug),
        (RegisterSkillArgs { slug: "Upper".into(), ..base() }, MarketplaceError::InvalidSlug),
        (RegisterSkillArgs { slug: "no_underscore".into(), ..base() }, MarketplaceError::InvalidSlug),
        (RegisterSkillArgs { category: "".into(), ..base() }, MarketplaceError::InvalidCategory),
        (RegisterSkillArgs { category: "Data Analysis".into(), ..base() }, MarketplaceError::InvalidCategory),
        (RegisterSkillArgs { price: 0, ..base() }, MarketplaceError::InvalidPrice),
        (RegisterSkillArgs { pricing: Pricing::Subscription { interval_secs: 3_599 }, ..base() }, MarketplaceError::SubscriptionIntervalTooShort),
        (RegisterSkillArgs { pricing: Pricing::Usage { units_per_purchase: 0 }, ..base() }, MarketplaceError::ZeroUnitsPerPurchase),
        (RegisterSkillArgs { provenance: Provenance { docs_cid: "".into(), ..provenance(1) }, ..base() }, MarketplaceError::InvalidCid),
        (RegisterSkillArgs { provenance: Provenance { docs_cid: "bafy/../x".into(), ..provenance(1) }, ..base() }, MarketplaceError::InvalidCid),
        (RegisterSkillArgs { provenance: Provenance { commit_sha: [0; 20], ..provenance(1) }, ..base() }, MarketplaceError::InvalidProvenance),
        (RegisterSkillArgs { provenance: Provenance { image_digest: [0; 32], ..provenance(1) }, ..base() }, MarketplaceError::InvalidProvenance),
    ];
    for (args, err) in cases {
        let ix = register_skill_ix_with(&author.pubkey(), args, None);
        env.expect_failure(&[ix], &[&author], program_error(err));
    }
    // A slug longer than a PDA seed (32 bytes) cannot even address an account: the program
    // aborts while deriving the address, as it would on-chain.
    let mut ix = register_skill_ix(&author.pubkey(), "valid-slug", Pricing::OneTime, SOL, None);
    ix.data = anchor_lang::InstructionData::data(&skill_marketplace::instruction::RegisterSkill {
        args: RegisterSkillArgs { slug: "a".repeat(33), ..base() },
    });
    env.expect_failure(&[ix], &[&author], solana_instruction::error::InstructionError::ProgramFailedToComplete);
    // Boundaries that are allowed.
    for (slug, pricing) in [("abc", Pricing::Subscription { interval_secs: 3_600 }), (&"z".repeat(32) as &str, Pricing::Usage { units_per_purchase: 1 })] {
        let ix = register_skill_ix_with(&author.pubkey(), RegisterSkillArgs { slug: slug.into(), pricing, ..base() }, None);
        env.send(&[ix], &[&author]).expect("boundary accepted");
    }
}

#[test]
fn an_author_without_agent_profile_cannot_publish() {
    let mut env = Env::new();
    let author = env.funded(10 * SOL);
    let ix = register_skill_ix(&author.pubkey(), "summarize", Pricing::OneTime, SOL, None);
    env.expect_failure(&[ix], &[&author], anchor_error(anchor_lang::error::ErrorCode::AccountNotInitialized));
}
