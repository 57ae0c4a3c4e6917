//! The currency allowlist: the admin accepts SPL mints one by one; Token-2022 mints whose
//! extensions could take money back or block a sale are refused; removal stops new skills only.

mod common;

use anchor_spl::{
    token::spl_token,
    token_2022::spl_token_2022::{
        self,
        extension::{
            confidential_transfer, default_account_state, metadata_pointer, transfer_fee, transfer_hook,
            ExtensionType,
        },
        state::{AccountState, Mint},
    },
};
use common::*;
use skill_marketplace::{
    errors::MarketplaceError,
    events::{CurrencyAdded, CurrencyRemoved},
    state::{Currency, Pricing, Skill},
};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

const TOKEN_2022: anchor_lang::prelude::Pubkey = spl_token_2022::ID;

/// A real Token-2022 mint carrying `extension`, set up by `init` before the mint itself.
fn mint_with(env: &mut Env, extension: ExtensionType, init: impl FnOnce(&anchor_lang::prelude::Pubkey, &anchor_lang::prelude::Pubkey) -> Instruction) -> anchor_lang::prelude::Pubkey {
    let mint = Keypair::new();
    let authority = env.admin.insecure_clone();
    let space = ExtensionType::try_calculate_account_len::<Mint>(&[extension]).expect("mint size");
    let rent = env.svm.minimum_balance_for_rent_exemption(space);
    let create = anchor_lang::solana_program::system_instruction::create_account(
        &authority.pubkey(), &mint.pubkey(), rent, space as u64, &TOKEN_2022,
    );
    let extension_init = init(&mint.pubkey(), &authority.pubkey());
    let mint_init = spl_token_2022::instruction::initialize_mint2(&TOKEN_2022, &mint.pubkey(), &authority.pubkey(), Some(&authority.pubkey()), 6)
        .expect("initialize_mint2");
    env.send(&[create, extension_init, mint_init], &[&authority, &mint]).expect("create extension mint");
    mint.pubkey()
}

type ExtensionInit = fn(&anchor_lang::prelude::Pubkey, &anchor_lang::prelude::Pubkey) -> Instruction;

fn refused_extensions() -> Vec<(ExtensionType, ExtensionInit)> {
    vec![
        (ExtensionType::TransferFeeConfig, |mint, auth| {
            transfer_fee::instruction::initialize_transfer_fee_config(&TOKEN_2022, mint, Some(auth), Some(auth), 100, u64::MAX).unwrap()
        }),
        (ExtensionType::PermanentDelegate, |mint, auth| {
            spl_token_2022::instruction::initialize_permanent_delegate(&TOKEN_2022, mint, auth).unwrap()
        }),
        (ExtensionType::TransferHook, |mint, auth| {
            transfer_hook::instruction::initialize(&TOKEN_2022, mint, Some(*auth), Some(spl_token::ID)).unwrap()
        }),
        (ExtensionType::DefaultAccountState, |mint, _| {
            default_account_state::instruction::initialize_default_account_state(&TOKEN_2022, mint, &AccountState::Frozen).unwrap()
        }),
        (ExtensionType::NonTransferable, |mint, _| {
            spl_token_2022::instruction::initialize_non_transferable_mint(&TOKEN_2022, mint).unwrap()
        }),
        (ExtensionType::ConfidentialTransferMint, |mint, auth| {
            confidential_transfer::instruction::initialize_mint(&TOKEN_2022, mint, Some(*auth), true, None).unwrap()
        }),
    ]
}

#[test]
fn token_2022_mints_that_could_take_money_back_or_block_sales_are_refused() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    for (extension, init) in refused_extensions() {
        let mint = mint_with(&mut env, extension, init);
        let ix = add_currency_ix(&admin.pubkey(), &mint, &TOKEN_2022);
        let failure = env.send(&[ix.clone()], &[&admin]).expect_err("extension mint accepted");
        assert!(
            failure.meta.logs.iter().any(|l| l.contains(&format!("{extension:?}"))),
            "the log names the extension {extension:?}: {:#?}",
            failure.meta.logs
        );
        env.expect_failure(&[ix], &[&admin], program_error(MarketplaceError::MintExtensionNotAllowed));
        assert!(!env.exists(&currency_pda(&mint)), "{extension:?}");
    }
}

#[test]
fn plain_mints_and_harmless_extensions_are_accepted() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let with_metadata = mint_with(&mut env, ExtensionType::MetadataPointer, |mint, auth| {
        metadata_pointer::instruction::initialize(&TOKEN_2022, mint, Some(*auth), Some(*mint)).unwrap()
    });
    let with_close = mint_with(&mut env, ExtensionType::MintCloseAuthority, |mint, auth| {
        spl_token_2022::instruction::initialize_mint_close_authority(&TOKEN_2022, mint, Some(auth)).unwrap()
    });
    let plain_2022 = create_unlisted_mint(&mut env, &TOKEN_2022).pubkey();
    let plain_token = create_unlisted_mint(&mut env, &spl_token::ID).pubkey();
    for (mint, program) in [(with_metadata, TOKEN_2022), (with_close, TOKEN_2022), (plain_2022, TOKEN_2022), (plain_token, spl_token::ID)] {
        let meta = env.send(&[add_currency_ix(&admin.pubkey(), &mint, &program)], &[&admin]).expect("accepted");
        let c: Currency = env.account(&currency_pda(&mint));
        assert_eq!((c.mint, c.token_program, c.decimals), (mint, program, 6));
        let e: CurrencyAdded = one_event(&meta);
        assert_eq!((e.currency, e.mint, e.token_program, e.decimals), (currency_pda(&mint), mint, program, 6));
    }
}

#[test]
fn only_the_admin_manages_currencies_and_removal_stops_new_skills_only() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let stranger = env.funded(SOL);
    let mint = create_unlisted_mint(&mut env, &spl_token::ID).pubkey();
    env.expect_failure(&[add_currency_ix(&stranger.pubkey(), &mint, &spl_token::ID)], &[&stranger], program_error(MarketplaceError::Unauthorized));
    env.send(&[add_currency_ix(&admin.pubkey(), &mint, &spl_token::ID)], &[&admin]).expect("add");
    // Added once only (account already in use).
    env.expect_failure(&[add_currency_ix(&admin.pubkey(), &mint, &spl_token::ID)], &[&admin], solana_instruction::error::InstructionError::Custom(0));

    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "priced-in-usdc", Pricing::OneTime, 1_000_000, Some(mint));
    assert_eq!(env.account::<Skill>(&skill).currency, Some(mint));

    env.expect_failure(&[remove_currency_ix(&stranger.pubkey(), &mint)], &[&stranger], program_error(MarketplaceError::Unauthorized));
    let meta = env.send(&[remove_currency_ix(&admin.pubkey(), &mint)], &[&admin]).expect("remove");
    assert_eq!(one_event::<CurrencyRemoved>(&meta).mint, mint);
    assert!(!env.exists(&currency_pda(&mint)));
    let ix = register_skill_ix(&seller.pubkey(), "second-in-usdc", Pricing::OneTime, 1_000_000, Some(mint));
    env.expect_failure(&[ix], &[&seller], program_error(MarketplaceError::CurrencyNotAllowed));

    // The skill already priced in it keeps selling.
    let buyer = env.funded(10 * SOL);
    let buyer_token = token_account(&mut env, &spl_token::ID, &mint, &buyer.pubkey(), 1_000_000);
    let seller_token = token_account(&mut env, &spl_token::ID, &mint, &seller.pubkey(), 0);
    let treasury = env.treasury.pubkey();
    let treasury_token = token_account(&mut env, &spl_token::ID, &mint, &treasury, 0);
    let ix = purchase_spl_ix(&SplPurchase {
        buyer: buyer.pubkey(),
        skill,
        mint,
        buyer_token,
        seller_token,
        treasury_token,
        token_program: spl_token::ID,
        max_price: 1_000_000,
        reference: None,
    });
    env.send(&[ix], &[&buyer]).expect("purchase after removal");
}
