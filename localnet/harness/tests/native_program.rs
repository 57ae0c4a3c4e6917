//! The harness against a small hand-written program (no Anchor): exact log lines, CPI that
//! creates and grows an account, PDA signing, sysvars from the VM, return data, errors and panics.

use litesvm::LiteSVM;
use solana_keypair::Keypair;
use solana_message::Message;
use solana_program::{
    account_info::AccountInfo,
    clock::Clock,
    entrypoint::ProgramResult,
    instruction::{AccountMeta, Instruction, InstructionError},
    msg,
    program::{get_return_data, invoke, invoke_signed, set_return_data},
    program_error::ProgramError,
    pubkey::Pubkey,
    rent::Rent,
    system_instruction,
    sysvar::Sysvar,
};
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

const PROGRAM: Pubkey = Pubkey::new_from_array([7; 32]);

/// Instruction byte 0 selects the behaviour.
fn entry<'info>(program_id: &Pubkey, accounts: &'info [AccountInfo<'info>], data: &[u8]) -> ProgramResult {
    match data.first() {
        // Log, emit data, report the clock.
        Some(0) => {
            msg!("hello {}", 42);
            solana_program::log::sol_log_data(&[b"event", &[1, 2, 3]]);
            let clock = Clock::get()?;
            msg!("slot={} time={}", clock.slot, clock.unix_timestamp);
            set_return_data(&clock.unix_timestamp.to_le_bytes());
            Ok(())
        }
        // Create a PDA through the system program (signed with seeds), then write to it.
        Some(1) => {
            let [payer, pda, system] = accounts else { return Err(ProgramError::NotEnoughAccountKeys) };
            let (expected, bump) = Pubkey::find_program_address(&[b"vault"], program_id);
            assert_eq!(*pda.key, expected);
            let space = 40;
            let lamports = Rent::get()?.minimum_balance(space);
            invoke_signed(
                &system_instruction::create_account(payer.key, pda.key, lamports, space as u64, program_id),
                &[payer.clone(), pda.clone(), system.clone()],
                &[&[b"vault", &[bump]]],
            )?;
            // The caller sees the callee's changes: new owner, length and lamports.
            assert_eq!(pda.owner, program_id);
            assert_eq!(pda.data_len(), space);
            pda.try_borrow_mut_data()?[..4].copy_from_slice(b"good");
            Ok(())
        }
        // A CPI that fails: transfer more than the payer has.
        Some(2) => {
            let [payer, to, _system] = accounts else { return Err(ProgramError::NotEnoughAccountKeys) };
            invoke(&system_instruction::transfer(payer.key, to.key, u64::MAX), accounts)?;
            msg!("unreachable: a failed CPI aborts the instruction");
            let _ = to;
            Ok(())
        }
        Some(3) => Err(ProgramError::Custom(6042)),
        Some(4) => panic!("boom"),
        // Return data round trip through a self-read.
        Some(5) => {
            set_return_data(b"abc");
            let (from, data) = get_return_data().ok_or(ProgramError::InvalidArgument)?;
            if from != *program_id || data != b"abc" {
                return Err(ProgramError::InvalidArgument);
            }
            Ok(())
        }
        _ => Err(ProgramError::InvalidInstructionData),
    }
}

fn svm() -> (LiteSVM, Keypair) {
    let mut svm = LiteSVM::new();
    svm_harness::add_native_program(&mut svm, PROGRAM, entry);
    let payer = Keypair::new();
    svm.airdrop(&payer.pubkey(), 10_000_000_000).expect("airdrop");
    (svm, payer)
}

fn send(svm: &mut LiteSVM, payer: &Keypair, data: u8, accounts: Vec<AccountMeta>) -> litesvm::types::TransactionResult {
    svm.expire_blockhash();
    let ix = Instruction { program_id: PROGRAM, accounts, data: vec![data] };
    let tx = Transaction::new(&[payer], Message::new(&[ix], Some(&payer.pubkey())), svm.latest_blockhash());
    svm.send_transaction(tx)
}

#[test]
fn logs_events_and_sysvars_look_like_a_validator() {
    let (mut svm, payer) = svm();
    let mut clock = svm.get_sysvar::<Clock>();
    clock.unix_timestamp = 1_800_000_000;
    clock.slot = 77;
    svm.set_sysvar(&clock);
    let meta = send(&mut svm, &payer, 0, vec![]).expect("success");
    assert_eq!(
        meta.logs,
        vec![
            format!("Program {PROGRAM} invoke [1]"),
            "Program log: hello 42".to_string(),
            "Program data: ZXZlbnQ= AQID".to_string(),
            "Program log: slot=77 time=1800000000".to_string(),
            format!("Program return: {PROGRAM} ANJJawAAAAA="),
            format!("Program {PROGRAM} success"),
        ]
    );
    assert_eq!(meta.return_data.data, 1_800_000_000i64.to_le_bytes());
}

#[test]
fn cpi_creates_a_pda_and_the_caller_sees_it() {
    let (mut svm, payer) = svm();
    let (pda, _) = Pubkey::find_program_address(&[b"vault"], &PROGRAM);
    let accounts = vec![
        AccountMeta::new(payer.pubkey(), true),
        AccountMeta::new(pda, false),
        AccountMeta::new_readonly(solana_program::system_program::ID, false),
    ];
    let meta = send(&mut svm, &payer, 1, accounts).expect("success");
    let account = svm.get_account(&pda).expect("created");
    assert_eq!(account.owner, PROGRAM);
    assert_eq!(account.data.len(), 40);
    assert_eq!(&account.data[..4], b"good");
    assert_eq!(account.lamports, svm.minimum_balance_for_rent_exemption(40));
    assert!(meta.logs.contains(&"Program 11111111111111111111111111111111 invoke [2]".to_string()), "{:#?}", meta.logs);
    assert_eq!(meta.inner_instructions.len(), 1);
    assert_eq!(meta.inner_instructions[0].len(), 1);
}

#[test]
fn a_failed_cpi_fails_the_instruction_with_the_callees_error() {
    let (mut svm, payer) = svm();
    let to = Pubkey::new_unique();
    let accounts = vec![
        AccountMeta::new(payer.pubkey(), true),
        AccountMeta::new(to, false),
        AccountMeta::new_readonly(solana_program::system_program::ID, false),
    ];
    let failure = send(&mut svm, &payer, 2, accounts).expect_err("must fail");
    // SystemError::ResultWithNegativeLamports
    assert_eq!(failure.err, TransactionError::InstructionError(0, InstructionError::Custom(1)));
    assert!(!failure.meta.logs.iter().any(|l| l.contains("unreachable")), "{:#?}", failure.meta.logs);
    assert_eq!(failure.meta.logs.last().unwrap(), &format!("Program {PROGRAM} failed: custom program error: 0x1"));
}

#[test]
fn program_errors_and_panics_surface_like_on_chain() {
    let (mut svm, payer) = svm();
    let failure = send(&mut svm, &payer, 3, vec![]).expect_err("custom error");
    assert_eq!(failure.err, TransactionError::InstructionError(0, InstructionError::Custom(6042)));
    assert_eq!(failure.meta.logs.last().unwrap(), &format!("Program {PROGRAM} failed: custom program error: 0x179a"));

    let failure = send(&mut svm, &payer, 4, vec![]).expect_err("panic");
    assert_eq!(failure.err, TransactionError::InstructionError(0, InstructionError::ProgramFailedToComplete));
    assert!(failure.meta.logs.contains(&"Program log: panicked at: boom".to_string()), "{:#?}", failure.meta.logs);

    let failure = send(&mut svm, &payer, 9, vec![]).expect_err("bad data");
    assert_eq!(failure.err, TransactionError::InstructionError(0, InstructionError::InvalidInstructionData));
}

#[test]
fn return_data_round_trips() {
    let (mut svm, payer) = svm();
    let meta = send(&mut svm, &payer, 5, vec![]).expect("success");
    assert_eq!(meta.return_data.program_id, PROGRAM);
    assert_eq!(meta.return_data.data, b"abc");
}
