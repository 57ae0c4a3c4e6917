//! Shared fixtures for the program's tests: a LiteSVM with the marketplace registered natively,
//! funded actors, instruction builders, event decoding and "nothing changed" assertions.
#![allow(dead_code)]

use anchor_lang::{
    prelude::Pubkey, system_program, AccountDeserialize, AnchorDeserialize, Discriminator,
    InstructionData, ToAccountMetas,
};
use anchor_spl::token::spl_token;
use litesvm::{
    types::{FailedTransactionMetadata, TransactionMetadata},
    LiteSVM,
};
use skill_marketplace::{
    accounts as acc, constants::*, errors::MarketplaceError, instruction as ixn,
    instructions::*, state::*,
};
use solana_account::Account;
use solana_instruction::{error::InstructionError, AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_message::Message;
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

pub const SOL: u64 = 1_000_000_000;
pub const USDC: u64 = 1_000_000;
pub const FEE_PER_SIGNATURE: u64 = 5_000;
/// Unix time the tests' clock starts at.
pub const START_TIME: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

pub type TxResult = Result<TransactionMetadata, FailedTransactionMetadata>;

/// `for_both_token_programs!(a, b)`: one `#[test]` per scenario and token program (SPL Token,
/// Token-2022), each calling `scenario(token_program_id)`. (`#[macro_use] mod common;`)
#[allow(unused_macros)]
macro_rules! for_both_token_programs {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[test]
                fn token() {
                    super::$scenario(anchor_spl::token::spl_token::ID);
                }
                #[test]
                fn token_2022() {
                    super::$scenario(anchor_spl::token_2022::spl_token_2022::ID);
                }
            }
        )*
    };
}


pub fn program_id() -> Pubkey {
    skill_marketplace::ID
}

pub fn marketplace_pda() -> Pubkey {
    Pubkey::find_program_address(&[SEED_MARKETPLACE], &program_id()).0
}
pub fn agent_pda(wallet: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[SEED_AGENT, wallet.as_ref()], &program_id()).0
}
pub fn skill_pda(author: &Pubkey, slug: &str) -> Pubkey {
    Pubkey::find_program_address(&[SEED_SKILL, author.as_ref(), slug.as_bytes()], &program_id()).0
}
pub fn license_pda(skill: &Pubkey, buyer: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[SEED_LICENSE, skill.as_ref(), buyer.as_ref()], &program_id()).0
}
pub fn review_pda(skill: &Pubkey, reviewer: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[SEED_REVIEW, skill.as_ref(), reviewer.as_ref()], &program_id()).0
}
/// The PDA that signs the program's event self-CPIs.
pub fn event_authority() -> Pubkey {
    Pubkey::find_program_address(&[skill_marketplace::events::EVENT_AUTHORITY_SEED], &program_id()).0
}
pub fn fee_vault_pda() -> Pubkey {
    Pubkey::find_program_address(&[SEED_FEE_VAULT], &program_id()).0
}
pub fn currency_pda(mint: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[SEED_CURRENCY, mint.as_ref()], &program_id()).0
}
pub fn meter_pda(authority: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[SEED_METER, authority.as_ref()], &program_id()).0
}

pub fn ix(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction { program_id: program_id(), accounts: accounts.to_account_metas(None), data: data.data() }
}

pub fn provenance(seed: u8) -> Provenance {
    Provenance {
        docs_cid: format!("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbz{seed:02}"),
        commit_sha: [seed.max(1); 20],
        image_digest: [seed.max(1); 32],
    }
}

pub fn v(major: u16, minor: u16, patch: u16) -> Semver {
    Semver { major, minor, patch }
}

pub struct Env {
    pub svm: LiteSVM,
    pub admin: Keypair,
    pub treasury: Keypair,
    pub meter: Keypair,
}

impl Env {
    /// A fresh chain with the program registered and nothing initialized.
    pub fn bare() -> Self {
        let mut svm = LiteSVM::new();
        svm_harness::add_native_program(&mut svm, program_id(), skill_marketplace::entry);
        let admin = Keypair::new();
        // The program as a cluster presents an upgradeable one: the admin is its upgrade authority.
        svm_harness::set_program_data(&mut svm, &program_id(), Some(admin.pubkey()), 0);
        let mut env = Env { svm, admin, treasury: Keypair::new(), meter: Keypair::new() };
        env.set_time(START_TIME);
        for who in [env.admin.pubkey(), env.treasury.pubkey(), env.meter.pubkey()] {
            env.svm.airdrop(&who, 10 * SOL).expect("airdrop");
        }
        env
    }

    /// A chain with the marketplace initialized at the default 2.5 % fee and 7-day notice, and
    /// `meter` registered as a meter authority.
    pub fn new() -> Self {
        Self::with_fee(DEFAULT_FEE_BPS)
    }

    pub fn with_fee(fee_bps: u16) -> Self {
        let mut env = Self::bare();
        let ix = env.initialize_ix(&env.admin.pubkey(), fee_bps);
        let admin = env.admin.insecure_clone();
        let meter = env.meter.pubkey();
        env.send(&[ix, add_meter_ix(&admin.pubkey(), &meter)], &[&admin]).expect("initialize marketplace");
        env
    }

    pub fn initialize_ix(&self, admin: &Pubkey, fee_bps: u16) -> Instruction {
        initialize_ix(
            admin,
            InitializeMarketplaceArgs {
                treasury: self.treasury.pubkey(),
                fee_bps,
                pauser: self.admin.pubkey(),
                notice_secs: DEFAULT_NOTICE_SECS,
            },
        )
    }

    /// Lamports in the fee vault above its rent-exempt minimum: the SOL fees collected.
    pub fn vault_fees(&self) -> u64 {
        let vault = self.svm.get_account(&fee_vault_pda()).expect("fee vault");
        vault.lamports - self.svm.minimum_balance_for_rent_exemption(vault.data.len())
    }

    pub fn funded(&mut self, lamports: u64) -> Keypair {
        let kp = Keypair::new();
        self.svm.airdrop(&kp.pubkey(), lamports).expect("airdrop");
        kp
    }

    pub fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> TxResult {
        self.svm.expire_blockhash();
        let payer = signers[0].pubkey();
        let tx = Transaction::new(signers, Message::new(ixs, Some(&payer)), self.svm.latest_blockhash());
        self.svm.send_transaction(tx)
    }

    pub fn now(&self) -> i64 {
        self.svm.get_sysvar::<solana_clock::Clock>().unix_timestamp
    }

    pub fn set_time(&mut self, unix_timestamp: i64) {
        let mut clock = self.svm.get_sysvar::<solana_clock::Clock>();
        clock.unix_timestamp = unix_timestamp;
        clock.slot += 1;
        self.svm.set_sysvar(&clock);
    }

    pub fn advance(&mut self, seconds: i64) {
        let now = self.now();
        self.set_time(now + seconds);
    }

    pub fn lamports(&self, key: &Pubkey) -> u64 {
        self.svm.get_account(key).map(|a| a.lamports).unwrap_or(0)
    }

    pub fn account<T: AccountDeserialize>(&self, key: &Pubkey) -> T {
        let account = self.svm.get_account(key).unwrap_or_else(|| panic!("account {key} missing"));
        T::try_deserialize(&mut account.data.as_slice()).expect("decode account")
    }

    pub fn exists(&self, key: &Pubkey) -> bool {
        self.svm.get_account(key).is_some_and(|a| a.lamports > 0)
    }

    pub fn raw(&self, key: &Pubkey) -> Option<Account> {
        self.svm.get_account(key).filter(|a| a.lamports > 0)
    }

    // ----- marketplace actions -----

    pub fn register_agent(&mut self, wallet: &Keypair, name: &str) -> Pubkey {
        let ix = register_agent_ix(&wallet.pubkey(), name, "https://agents.example/meta.json");
        self.send(&[ix], &[wallet]).expect("register agent");
        agent_pda(&wallet.pubkey())
    }

    /// Registers `author` as an agent (if needed) and a skill priced as given.
    pub fn register_skill(
        &mut self,
        author: &Keypair,
        slug: &str,
        pricing: Pricing,
        price: u64,
        currency: Option<Pubkey>,
    ) -> Pubkey {
        if !self.exists(&agent_pda(&author.pubkey())) {
            self.register_agent(author, "seller");
        }
        let ix = register_skill_ix(&author.pubkey(), slug, pricing, price, currency);
        self.send(&[ix], &[author]).expect("register skill");
        skill_pda(&author.pubkey(), slug)
    }

    pub fn purchase_sol_ix(&self, buyer: &Pubkey, skill: &Pubkey, max_price: u64, reference: Option<Pubkey>) -> Instruction {
        let s: Skill = self.account(skill);
        purchase_sol_ix(buyer, skill, &s.author, max_price, reference)
    }

    pub fn buy_sol(&mut self, buyer: &Keypair, skill: &Pubkey) -> TxResult {
        let ix = self.purchase_sol_ix(&buyer.pubkey(), skill, u64::MAX, None);
        self.send(&[ix], &[buyer])
    }

    /// A `record_usage` by `meter` of one batch of `units` receipts, expecting the usage the
    /// license holds now (0 when it does not exist).
    pub fn record_usage_ix(&self, skill: &Pubkey, buyer: &Pubkey, units: u64, root: [u8; 32]) -> Instruction {
        let license = license_pda(skill, buyer);
        let expected = self.usage_used(&license);
        record_usage_ix(&self.meter.pubkey(), skill, &license, usage_batch(units, expected, root))
    }

    /// The license's `usage_used`, or 0 when there is no license there.
    pub fn usage_used(&self, license: &Pubkey) -> u64 {
        self.svm
            .get_account(license)
            .and_then(|a| License::try_deserialize(&mut a.data.as_slice()).ok())
            .map_or(0, |l| l.usage_used)
    }

    pub fn record_usage(&mut self, skill: &Pubkey, buyer: &Pubkey, units: u64) -> TxResult {
        let ix = self.record_usage_ix(skill, buyer, units, [7; 32]);
        let meter = self.meter.insecure_clone();
        self.send(&[ix], &[&meter])
    }

    pub fn set_paused(&mut self, paused: bool) {
        let ix = set_paused_ix(&self.admin.pubkey(), paused);
        let admin = self.admin.insecure_clone();
        self.send(&[ix], &[&admin]).expect("pause");
    }

    /// Sends a transaction that must fail with `expected`, and checks that no account it names
    /// changed, except the fee payer's transaction fee.
    pub fn expect_failure(&mut self, ixs: &[Instruction], signers: &[&Keypair], expected: InstructionError) {
        let payer = signers[0].pubkey();
        let keys = touched(ixs, &payer);
        let before: Vec<_> = keys.iter().map(|k| self.raw(k)).collect();
        let result = self.send(ixs, signers);
        let failure = match result {
            Ok(meta) => panic!("expected {expected:?}, transaction succeeded; logs: {:#?}", meta.logs),
            Err(failure) => failure,
        };
        match &failure.err {
            TransactionError::InstructionError(_, err) => assert_eq!(
                err, &expected,
                "wrong error; logs: {:#?}", failure.meta.logs
            ),
            other => panic!("expected {expected:?}, got {other:?}; logs: {:#?}", failure.meta.logs),
        }
        let fee = FEE_PER_SIGNATURE * signers.len() as u64;
        for (key, old) in keys.iter().zip(before) {
            let mut now = self.raw(key);
            if *key == payer {
                if let Some(account) = now.as_mut() {
                    account.lamports += fee;
                }
            }
            assert_eq!(now, old, "account {key} changed by a failed transaction");
        }
    }
}

/// Every account named by the instructions, plus the fee payer.
pub fn touched(ixs: &[Instruction], payer: &Pubkey) -> Vec<Pubkey> {
    let mut keys = vec![*payer];
    for ix in ixs {
        for meta in &ix.accounts {
            if !keys.contains(&meta.pubkey) {
                keys.push(meta.pubkey);
            }
        }
    }
    keys
}

pub fn program_error(error: MarketplaceError) -> InstructionError {
    InstructionError::Custom(anchor_lang::error::ERROR_CODE_OFFSET + error as u32)
}

pub fn anchor_error(error: anchor_lang::error::ErrorCode) -> InstructionError {
    InstructionError::Custom(error as u32)
}

/// Decodes every event of type `T` the program emitted through its self-CPI: the inner
/// instructions whose data starts with Anchor's event tag and `T`'s discriminator.
pub fn events<T: AnchorDeserialize + Discriminator>(meta: &TransactionMetadata) -> Vec<T> {
    let tag = anchor_lang::event::EVENT_IX_TAG_LE;
    meta.inner_instructions
        .iter()
        .flatten()
        .map(|inner| inner.instruction.data.as_slice())
        .filter_map(|data| data.strip_prefix(tag))
        .filter_map(|data| data.strip_prefix(T::DISCRIMINATOR))
        .map(|mut data| T::deserialize(&mut data).expect("decode event"))
        .collect()
}

pub fn one_event<T: AnchorDeserialize + Discriminator>(meta: &TransactionMetadata) -> T {
    let mut found = events::<T>(meta);
    assert_eq!(found.len(), 1, "expected one event; logs: {:#?}", meta.logs);
    found.remove(0)
}

// ----- instruction builders -----

pub fn initialize_ix(admin: &Pubkey, args: InitializeMarketplaceArgs) -> Instruction {
    ix(
        acc::InitializeMarketplace {
            admin: *admin,
            marketplace: marketplace_pda(),
            fee_vault: fee_vault_pda(),
            program_data: svm_harness::program_data_address(&program_id()),
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: program_id(),
        },
        ixn::InitializeMarketplace { args },
    )
}

pub fn update_marketplace_ix(admin: &Pubkey, args: UpdateMarketplaceArgs) -> Instruction {
    ix(acc::AdminOnly { admin: *admin, marketplace: marketplace_pda(), event_authority: event_authority(), program: program_id() }, ixn::UpdateMarketplace { args })
}

pub fn propose_admin_ix(admin: &Pubkey, new_admin: Option<Pubkey>) -> Instruction {
    ix(acc::AdminOnly { admin: *admin, marketplace: marketplace_pda(), event_authority: event_authority(), program: program_id() }, ixn::ProposeAdmin { new_admin })
}

pub fn accept_admin_ix(new_admin: &Pubkey) -> Instruction {
    ix(acc::AcceptAdmin { new_admin: *new_admin, marketplace: marketplace_pda(), event_authority: event_authority(), program: program_id() }, ixn::AcceptAdmin {})
}

pub fn set_paused_ix(signer: &Pubkey, paused: bool) -> Instruction {
    ix(acc::SetPaused { signer: *signer, marketplace: marketplace_pda(), event_authority: event_authority(), program: program_id() }, ixn::SetPaused { paused })
}

pub fn add_currency_ix(admin: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Instruction {
    ix(
        acc::AddCurrency {
            admin: *admin,
            marketplace: marketplace_pda(),
            mint: *mint,
            currency: currency_pda(mint),
            token_program: *token_program,
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: program_id(),
        },
        ixn::AddCurrency {},
    )
}

pub fn remove_currency_ix(admin: &Pubkey, mint: &Pubkey) -> Instruction {
    ix(
        acc::RemoveCurrency {
            admin: *admin,
            marketplace: marketplace_pda(),
            currency: currency_pda(mint),
            event_authority: event_authority(),
            program: program_id(),
        },
        ixn::RemoveCurrency {},
    )
}

pub fn delete_review_ix(reviewer: &Pubkey, skill: &Pubkey) -> Instruction {
    ix(
        acc::DeleteReview {
            reviewer: *reviewer,
            skill: *skill,
            review: review_pda(skill, reviewer),
            event_authority: event_authority(),
            program: program_id(),
        },
        ixn::DeleteReview {},
    )
}

pub fn add_meter_ix(admin: &Pubkey, authority: &Pubkey) -> Instruction {
    ix(
        acc::AddMeterAuthority {
            admin: *admin,
            marketplace: marketplace_pda(),
            meter: meter_pda(authority),
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: program_id(),
        },
        ixn::AddMeterAuthority { authority: *authority },
    )
}

pub fn revoke_meter_ix(admin: &Pubkey, authority: &Pubkey) -> Instruction {
    ix(
        acc::RevokeMeterAuthority { admin: *admin, marketplace: marketplace_pda(), meter: meter_pda(authority), event_authority: event_authority(), program: program_id() },
        ixn::RevokeMeterAuthority {},
    )
}

pub fn withdraw_fees_ix(admin: &Pubkey, treasury: &Pubkey, amount: u64) -> Instruction {
    ix(
        acc::WithdrawFees { admin: *admin, marketplace: marketplace_pda(), fee_vault: fee_vault_pda(), treasury: *treasury, event_authority: event_authority(), program: program_id() },
        ixn::WithdrawFees { amount },
    )
}

pub fn set_skill_suspension_ix(admin: &Pubkey, skill: &Pubkey, reason_cid: Option<&str>) -> Instruction {
    ix(
        acc::SetSkillSuspension { admin: *admin, marketplace: marketplace_pda(), skill: *skill, event_authority: event_authority(), program: program_id() },
        ixn::SetSkillSuspension { reason_cid: reason_cid.map(str::to_string) },
    )
}

pub fn register_agent_ix(wallet: &Pubkey, name: &str, uri: &str) -> Instruction {
    ix(
        acc::RegisterAgent {
            wallet: *wallet,
            marketplace: marketplace_pda(),
            agent: agent_pda(wallet),
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: program_id(),
        },
        ixn::RegisterAgent { args: RegisterAgentArgs { name: name.into(), metadata_uri: uri.into() } },
    )
}

pub fn register_skill_args(slug: &str, pricing: Pricing, price: u64) -> RegisterSkillArgs {
    RegisterSkillArgs {
        slug: slug.into(),
        version: v(1, 0, 0),
        category: "data-analysis".into(),
        pricing,
        price,
        provenance: provenance(1),
    }
}

pub fn register_skill_ix(author: &Pubkey, slug: &str, pricing: Pricing, price: u64, currency: Option<Pubkey>) -> Instruction {
    register_skill_ix_with(author, register_skill_args(slug, pricing, price), currency)
}

pub fn register_skill_ix_with(author: &Pubkey, args: RegisterSkillArgs, currency: Option<Pubkey>) -> Instruction {
    ix(
        acc::RegisterSkill {
            author: *author,
            marketplace: marketplace_pda(),
            agent: agent_pda(author),
            skill: skill_pda(author, &args.slug),
            currency: currency.map(|mint| currency_pda(&mint)),
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: program_id(),
        },
        ixn::RegisterSkill { args },
    )
}

pub fn purchase_sol_ix(
    buyer: &Pubkey,
    skill: &Pubkey,
    seller: &Pubkey,
    max_price: u64,
    reference: Option<Pubkey>,
) -> Instruction {
    let mut ix = ix(
        acc::PurchaseLicense {
            buyer: *buyer,
            marketplace: marketplace_pda(),
            skill: *skill,
            seller: *seller,
            fee_vault: fee_vault_pda(),
            license: license_pda(skill, buyer),
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: program_id(),
        },
        ixn::PurchaseLicense { args: PurchaseLicenseArgs { max_price } },
    );
    if let Some(reference) = reference {
        ix.accounts.push(AccountMeta::new_readonly(reference, false));
    }
    ix
}

/// One batch of `units` receipts (a receipt per unit, up to u32::MAX) over a license whose
/// usage is `expected`.
pub fn usage_batch(units: u64, expected: u64, root: [u8; 32]) -> RecordUsageArgs {
    RecordUsageArgs {
        units,
        expected_usage_used: expected,
        receipts_root: root,
        receipt_count: units.clamp(1, u32::MAX as u64) as u32,
    }
}

pub fn record_usage_ix(meter: &Pubkey, skill: &Pubkey, license: &Pubkey, args: RecordUsageArgs) -> Instruction {
    ix(
        acc::RecordUsage {
            meter_authority: *meter,
            meter: meter_pda(meter),
            marketplace: marketplace_pda(),
            skill: *skill,
            license: *license,
            event_authority: event_authority(),
            program: program_id(),
        },
        ixn::RecordUsage { args },
    )
}

pub fn post_review_ix(reviewer: &Pubkey, skill: &Pubkey, rating: u8, cid: &str) -> Instruction {
    ix(
        acc::PostReview {
            reviewer: *reviewer,
            skill: *skill,
            license: license_pda(skill, reviewer),
            review: review_pda(skill, reviewer),
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: program_id(),
        },
        ixn::PostReview { args: ReviewArgs { rating, text_cid: cid.into() } },
    )
}

pub fn update_review_ix(reviewer: &Pubkey, skill: &Pubkey, rating: u8, cid: &str) -> Instruction {
    ix(
        acc::UpdateReview {
            reviewer: *reviewer,
            skill: *skill,
            license: license_pda(skill, reviewer),
            review: review_pda(skill, reviewer),
            event_authority: event_authority(),
            program: program_id(),
        },
        ixn::UpdateReview { args: ReviewArgs { rating, text_cid: cid.into() } },
    )
}

pub fn close_license_ix(buyer: &Pubkey, license: &Pubkey) -> Instruction {
    ix(acc::CloseLicense { buyer: *buyer, license: *license, event_authority: event_authority(), program: program_id() }, ixn::CloseLicense {})
}

pub fn update_skill_ix(author: &Pubkey, skill: &Pubkey, args: UpdateSkillArgs) -> Instruction {
    ix(acc::UpdateSkill { author: *author, marketplace: marketplace_pda(), skill: *skill, event_authority: event_authority(), program: program_id() }, ixn::UpdateSkill { args })
}

pub fn set_skill_active_ix(author: &Pubkey, skill: &Pubkey, active: bool) -> Instruction {
    ix(acc::SetSkillActive { author: *author, marketplace: marketplace_pda(), skill: *skill, event_authority: event_authority(), program: program_id() }, ixn::SetSkillActive { active })
}

// ----- SPL tokens -----

/// A USDC-like mint (6 decimals) under `token_program` (Token or Token-2022), accepted by the
/// marketplace as a currency.
pub fn create_mint(env: &mut Env, token_program: &Pubkey) -> Keypair {
    let mint = create_unlisted_mint(env, token_program);
    let admin = env.admin.insecure_clone();
    env.send(&[add_currency_ix(&admin.pubkey(), &mint.pubkey(), token_program)], &[&admin]).expect("add currency");
    mint
}

/// A mint like `create_mint`'s that the marketplace has not accepted.
pub fn create_unlisted_mint(env: &mut Env, token_program: &Pubkey) -> Keypair {
    let mint = Keypair::new();
    let authority = env.admin.insecure_clone();
    let space = 82;
    let rent = env.svm.minimum_balance_for_rent_exemption(space);
    let create = anchor_lang::solana_program::system_instruction::create_account(
        &authority.pubkey(), &mint.pubkey(), rent, space as u64, token_program,
    );
    let init = spl_token_2022_init_mint(token_program, &mint.pubkey(), &authority.pubkey());
    env.send(&[create, init], &[&authority, &mint]).expect("create mint");
    mint
}

fn spl_token_2022_init_mint(token_program: &Pubkey, mint: &Pubkey, authority: &Pubkey) -> Instruction {
    anchor_spl::token_2022::spl_token_2022::instruction::initialize_mint2(token_program, mint, authority, None, 6)
        .expect("initialize_mint2")
}

/// A token account for `owner` holding `amount` base units of `mint`.
pub fn token_account(env: &mut Env, token_program: &Pubkey, mint: &Pubkey, owner: &Pubkey, amount: u64) -> Pubkey {
    let account = Keypair::new();
    let payer = env.admin.insecure_clone();
    let space = if *token_program == spl_token::ID { 165 } else { 170 };
    let rent = env.svm.minimum_balance_for_rent_exemption(space);
    let create = anchor_lang::solana_program::system_instruction::create_account(
        &payer.pubkey(), &account.pubkey(), rent, space as u64, token_program,
    );
    let init = anchor_spl::token_2022::spl_token_2022::instruction::initialize_account3(
        token_program, &account.pubkey(), mint, owner,
    )
    .expect("initialize_account3");
    let mut ixs = vec![create, init];
    if amount > 0 {
        ixs.push(
            anchor_spl::token_2022::spl_token_2022::instruction::mint_to(
                token_program, mint, &account.pubkey(), &payer.pubkey(), &[], amount,
            )
            .expect("mint_to"),
        );
    }
    env.send(&ixs, &[&payer, &account]).expect("create token account");
    account.pubkey()
}

pub fn token_balance(env: &Env, account: &Pubkey) -> u64 {
    let data = env.svm.get_account(account).expect("token account").data;
    u64::from_le_bytes(data[64..72].try_into().expect("amount"))
}

pub struct SplPurchase {
    pub buyer: Pubkey,
    pub skill: Pubkey,
    pub mint: Pubkey,
    pub buyer_token: Pubkey,
    pub seller_token: Pubkey,
    pub treasury_token: Pubkey,
    pub token_program: Pubkey,
    pub max_price: u64,
    pub reference: Option<Pubkey>,
}

pub fn purchase_spl_ix(p: &SplPurchase) -> Instruction {
    let mut ix = ix(
        acc::PurchaseLicenseSpl {
            buyer: p.buyer,
            marketplace: marketplace_pda(),
            skill: p.skill,
            mint: p.mint,
            buyer_token: p.buyer_token,
            seller_token: p.seller_token,
            treasury_token: p.treasury_token,
            license: license_pda(&p.skill, &p.buyer),
            token_program: p.token_program,
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: program_id(),
        },
        ixn::PurchaseLicenseSpl { args: PurchaseLicenseArgs { max_price: p.max_price } },
    );
    if let Some(reference) = p.reference {
        ix.accounts.push(AccountMeta::new_readonly(reference, false));
    }
    ix
}

/// A skill's vault authority (the owner of its pay-per-call token accounts).
pub fn vault_authority(skill: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[SEED_SKILL_VAULT, skill.as_ref()], &program_id()).0
}

/// The accounts of a `split_vault`.
pub struct Split {
    pub skill: Pubkey,
    pub vault_authority: Pubkey,
    pub mint: Pubkey,
    pub vault: Pubkey,
    pub seller_token: Pubkey,
    pub treasury_token: Pubkey,
    pub token_program: Pubkey,
}

pub fn split_vault_ix(s: &Split) -> Instruction {
    ix(
        acc::SplitVault {
            marketplace: marketplace_pda(),
            skill: s.skill,
            vault_authority: s.vault_authority,
            mint: s.mint,
            vault: s.vault,
            seller_token: s.seller_token,
            treasury_token: s.treasury_token,
            token_program: s.token_program,
            event_authority: event_authority(),
            program: program_id(),
        },
        ixn::SplitVault {},
    )
}
