//! Runs host-compiled Solana programs as native builtins inside LiteSVM.
//!
//! Solana's SBF toolchain is not available everywhere we build, so the marketplace program is
//! compiled for the host and registered as a builtin. To keep that faithful, the program's `entry`
//! receives exactly the parameter buffer the BPF loader builds (agave's `serialize_parameters` /
//! `deserialize_parameters`), and every syscall it makes off-chain (CPI, `msg!`, `sol_log_data`,
//! sysvars, return data) is served from the live `InvokeContext` of the transaction. Logs, account
//! changes and errors therefore come out as a validator would produce them.

use std::{
    cell::{Cell, RefCell},
    collections::HashMap,
    panic::{catch_unwind, AssertUnwindSafe},
    sync::{LazyLock, Once, RwLock},
};

use litesvm::LiteSVM;
use solana_program::{
    account_info::AccountInfo,
    entrypoint::{ProgramResult, MAX_PERMITTED_DATA_INCREASE},
    instruction::{Instruction, InstructionError},
    native_token::LAMPORTS_PER_SOL,
    program_error::{ProgramError, UNSUPPORTED_SYSVAR},
    program_stubs::{self, SyscallStubs},
    pubkey::Pubkey,
    stable_layout::stable_instruction::StableInstruction,
};
use solana_program_runtime::{
    declare_process_instruction,
    solana_sbpf::vm::ContextObject,
    invoke_context::InvokeContext,
    serialization::{deserialize_parameters, serialize_parameters},
    stable_log,
    sysvar_cache::SysvarCache,
};

pub use litesvm;

/// The program entry Anchor (and `solana_program::entrypoint!`) generates.
pub type ProgramEntry =
    for<'info> fn(&Pubkey, &'info [AccountInfo<'info>], &[u8]) -> ProgramResult;

/// Compute units charged for each invocation of a native program. Host code is not metered
/// instruction by instruction; this keeps compute budgets and fees meaningful.
pub const NATIVE_INVOCATION_COMPUTE_UNITS: u64 = 5_000;

// Return codes of `sol_get_sysvar`, as the validator's syscall defines them.
const SYSVAR_SUCCESS: u64 = 0;
const OFFSET_LENGTH_EXCEEDS_SYSVAR: u64 = 1;
const SYSVAR_NOT_FOUND: u64 = 2;

static PROGRAMS: LazyLock<RwLock<HashMap<Pubkey, ProgramEntry>>> =
    LazyLock::new(|| RwLock::new(HashMap::new()));
static INSTALL: Once = Once::new();
/// Read end of the pipe that stands in for stdout once `capture_stdout` has run.
static STDOUT_PIPE: std::sync::OnceLock<i32> = std::sync::OnceLock::new();

thread_local! {
    /// The invoke context of the native program running on this thread (null when none).
    static CURRENT: Cell<*mut InvokeContext<'static>> = const { Cell::new(std::ptr::null_mut()) };
    /// A failed CPI aborts the whole instruction on-chain, whatever the caller does with the
    /// error; the callee's error is kept here and becomes the instruction's result.
    static CPI_FAILURE: RefCell<Option<InstructionError>> = const { RefCell::new(None) };
}

declare_process_instruction!(NativeProgram, NATIVE_INVOCATION_COMPUTE_UNITS, |invoke_context| {
    execute(invoke_context)
});

/// Registers `entry` as the program at `program_id` in `svm`.
pub fn add_native_program(svm: &mut LiteSVM, program_id: Pubkey, entry: ProgramEntry) {
    install();
    PROGRAMS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(program_id, entry);
    svm.add_builtin(program_id, NativeProgram::vm);
    // The runtime dispatches to a builtin by the key of a native-loader-owned program account.
    svm.set_account(
        program_id,
        solana_account::Account {
            lamports: LAMPORTS_PER_SOL,
            data: b"native program".to_vec(),
            owner: solana_sdk_ids::native_loader::id(),
            executable: true,
            rent_epoch: 0,
        }
        .into(),
    )
    .unwrap_or_else(|e| panic!("registering native program {program_id}: {e:?}"));
}

/// Size of the upgradeable loader's ProgramData header: the enum tag (u32), the deploy slot (u64)
/// and the optional upgrade authority (1 + 32 bytes).
pub const PROGRAM_DATA_HEADER_LEN: usize = 4 + 8 + 1 + 32;

/// The address a cluster keeps an upgradeable program's ProgramData at.
pub fn program_data_address(program_id: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[program_id.as_ref()], &solana_sdk_ids::bpf_loader_upgradeable::id()).0
}

/// Writes the ProgramData account a cluster holds for an upgradeable program at `program_id`,
/// naming `upgrade_authority` (`None`: the program is immutable), so a program that checks its
/// upgrade authority (as `initialize_marketplace` does) runs the same check as on a cluster. The
/// account is owned by the upgradeable loader and carries the header only: the code runs natively.
pub fn set_program_data(svm: &mut LiteSVM, program_id: &Pubkey, upgrade_authority: Option<Pubkey>, slot: u64) {
    let mut data = Vec::with_capacity(PROGRAM_DATA_HEADER_LEN);
    data.extend_from_slice(&3u32.to_le_bytes()); // UpgradeableLoaderState::ProgramData
    data.extend_from_slice(&slot.to_le_bytes());
    match upgrade_authority {
        Some(key) => {
            data.push(1);
            data.extend_from_slice(key.as_ref());
        }
        None => data.extend_from_slice(&[0; 33]),
    }
    let lamports = svm.minimum_balance_for_rent_exemption(data.len());
    svm.set_account(
        program_data_address(program_id),
        solana_account::Account {
            lamports,
            data,
            owner: solana_sdk_ids::bpf_loader_upgradeable::id(),
            executable: false,
            rent_epoch: 0,
        }
        .into(),
    )
    .unwrap_or_else(|e| panic!("writing the ProgramData of {program_id}: {e:?}"));
}

/// The program account a cluster shows for an upgradeable program at `program_id`: owned by the
/// upgradeable loader, executable, its data `UpgradeableLoaderState::Program` (u32 tag 2, then
/// the ProgramData address). The VM itself dispatches a native program through a native-loader
/// account (the upgradeable loader only runs verified SBF code); a node shows this one to clients.
pub fn presented_program_account(svm: &LiteSVM, program_id: &Pubkey) -> solana_account::Account {
    let mut data = Vec::with_capacity(36);
    data.extend_from_slice(&2u32.to_le_bytes());
    data.extend_from_slice(program_data_address(program_id).as_ref());
    solana_account::Account {
        lamports: svm.minimum_balance_for_rent_exemption(data.len()),
        data,
        owner: solana_sdk_ids::bpf_loader_upgradeable::id(),
        executable: true,
        rent_epoch: 0,
    }
}

/// Installs the syscall stubs and the `msg!` hook (idempotent).
pub fn install() {
    INSTALL.call_once(|| {
        program_stubs::set_syscall_stubs(Box::new(NativeSyscalls));
        solana_msg::set_log_hook(log_message);
    });
}

/// Off-chain, some upstream helpers print to stdout where a program on SBF would log through a
/// syscall: notably `Pubkey::log()`, which Anchor uses for the `Left:` / `Right:` keys of a failed
/// constraint (and which Anchor's TypeScript client parses). After this call the process's stdout
/// is a pipe that the harness drains into the running program's logs, in order with its other log
/// lines. Meant for a process whose own stdout is otherwise unused, such as the localnet node.
pub fn capture_stdout() -> std::io::Result<()> {
    if STDOUT_PIPE.get().is_some() {
        return Ok(());
    }
    let mut fds = [0i32; 2];
    // SAFETY: plain POSIX calls on descriptors this function owns; fd 1 is replaced atomically
    // by dup2. The read end is non-blocking so draining never waits; the write end stays
    // blocking so a print never fails.
    unsafe {
        if libc::pipe(fds.as_mut_ptr()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let flags = libc::fcntl(fds[0], libc::F_GETFL);
        if libc::fcntl(fds[0], libc::F_SETFL, flags | libc::O_NONBLOCK) != 0
            || libc::dup2(fds[1], 1) < 0
        {
            return Err(std::io::Error::last_os_error());
        }
        libc::close(fds[1]);
    }
    let _ = STDOUT_PIPE.set(fds[0]);
    Ok(())
}

/// Moves whatever was printed to the captured stdout into the logs of the program running on this
/// thread (or to stderr when none is), one `Program log:` line per printed line.
fn drain_stdout() {
    let Some(fd) = STDOUT_PIPE.get() else { return };
    let _ = std::io::Write::flush(&mut std::io::stdout());
    let mut printed = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        // SAFETY: reads into a local buffer of the given length from our own descriptor.
        let n = unsafe { libc::read(*fd, chunk.as_mut_ptr().cast(), chunk.len()) };
        if n <= 0 {
            break;
        }
        printed.extend_from_slice(&chunk[..n as usize]);
    }
    if printed.is_empty() {
        return;
    }
    for line in String::from_utf8_lossy(&printed).lines() {
        if with_context(|ic| stable_log::program_log(&ic.get_log_collector(), line)).is_none() {
            eprintln!("{line}");
        }
    }
}

fn execute(invoke_context: &mut InvokeContext) -> Result<(), InstructionError> {
    drain_stdout(); // anything printed before this program ran belongs to its caller
    let (program_id, mut parameters, metadata) = {
        let tc = &*invoke_context.transaction_context;
        let instruction = tc.get_current_instruction_context()?;
        let program_id = *instruction.get_last_program_key(tc)?;
        let (buffer, _regions, metadata) = serialize_parameters(tc, instruction, true, false)?;
        (program_id, buffer, metadata)
    };
    let entry = *PROGRAMS
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(&program_id)
        .ok_or(InstructionError::UnsupportedProgramId)?;

    let outer = CURRENT.with(|current| {
        current.replace(invoke_context as *mut InvokeContext as *mut InvokeContext<'static>)
    });
    let outcome = {
        let input = parameters.as_slice_mut().as_mut_ptr();
        // SAFETY: `input` is a buffer laid out by `serialize_parameters`, the format
        // `deserialize` reads; it outlives the call and nothing else aliases it meanwhile.
        let (id, accounts, data) = unsafe { solana_program::entrypoint::deserialize(input) };
        catch_unwind(AssertUnwindSafe(|| entry(id, &accounts, data)))
    };
    drain_stdout();
    CURRENT.with(|current| current.set(outer));

    // As the BPF loader does once a program has run: announce any return data it left.
    let (returned_by, returned) = invoke_context.transaction_context.get_return_data();
    if !returned.is_empty() {
        stable_log::program_return(&invoke_context.get_log_collector(), returned_by, returned);
    }
    if let Some(error) = CPI_FAILURE.with(|failure| failure.borrow_mut().take()) {
        return Err(error);
    }
    match outcome {
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown panic");
            stable_log::program_log(
                &invoke_context.get_log_collector(),
                &format!("panicked at: {message}"),
            );
            return Err(InstructionError::ProgramFailedToComplete);
        }
        Ok(Err(error)) => return Err(InstructionError::from(u64::from(error))),
        Ok(Ok(())) => {}
    }
    let tc = &*invoke_context.transaction_context;
    let instruction = tc.get_current_instruction_context()?;
    deserialize_parameters(tc, instruction, true, parameters.as_slice(), &metadata)
}

fn with_context<R>(f: impl FnOnce(&mut InvokeContext<'static>) -> R) -> Option<R> {
    let pointer = CURRENT.with(|current| current.get());
    // SAFETY: set by `execute` for the duration of the program call on this thread; the
    // context outlives that call and the program only reaches it through these stubs.
    (!pointer.is_null()).then(|| f(unsafe { &mut *pointer }))
}

fn log_message(message: &str) {
    drain_stdout();
    if with_context(|ic| stable_log::program_log(&ic.get_log_collector(), message)).is_none() {
        println!("{message}");
    }
}

fn log_raw(ic: &InvokeContext, message: &str) {
    if let Some(collector) = ic.get_log_collector() {
        collector.borrow_mut().log(message);
    }
}

fn copy_sysvar<T: Clone>(
    var_addr: *mut u8,
    get: impl FnOnce(&SysvarCache) -> Result<std::sync::Arc<T>, InstructionError>,
) -> u64 {
    with_context(|ic| match get(ic.get_sysvar_cache()) {
        Ok(value) => {
            // SAFETY: the program passes a pointer to a `T` it owns, as the syscall requires.
            unsafe { std::ptr::write_unaligned(var_addr as *mut T, (*value).clone()) };
            SYSVAR_SUCCESS
        }
        Err(_) => UNSUPPORTED_SYSVAR,
    })
    .unwrap_or(UNSUPPORTED_SYSVAR)
}

struct NativeSyscalls;

impl SyscallStubs for NativeSyscalls {
    fn sol_log(&self, message: &str) {
        log_message(message);
    }

    fn sol_log_compute_units(&self) {
        drain_stdout();
        with_context(|ic| {
            let message = format!("Program consumption: {} units remaining", ic.get_remaining());
            log_raw(ic, &message);
        });
    }

    fn sol_remaining_compute_units(&self) -> u64 {
        with_context(|ic| ic.get_remaining()).unwrap_or(0)
    }

    fn sol_log_data(&self, fields: &[&[u8]]) {
        drain_stdout();
        with_context(|ic| stable_log::program_data(&ic.get_log_collector(), fields));
    }

    fn sol_invoke_signed(
        &self,
        instruction: &Instruction,
        account_infos: &[AccountInfo],
        signers_seeds: &[&[&[u8]]],
    ) -> ProgramResult {
        with_context(|ic| {
            invoke(ic, instruction, account_infos, signers_seeds).map_err(|error| {
                CPI_FAILURE.with(|failure| *failure.borrow_mut() = Some(error.clone()));
                ProgramError::try_from(error).unwrap_or(ProgramError::InvalidArgument)
            })
        })
        .unwrap_or(Err(ProgramError::UnsupportedSysvar))
    }

    fn sol_get_sysvar(
        &self,
        sysvar_id_addr: *const u8,
        var_addr: *mut u8,
        offset: u64,
        length: u64,
    ) -> u64 {
        // SAFETY: the program passes a pointer to a 32-byte sysvar id.
        let id = unsafe { std::ptr::read_unaligned(sysvar_id_addr as *const Pubkey) };
        with_context(|ic| match ic.get_sysvar_cache().sysvar_id_to_buffer(&id) {
            Some(buffer) => {
                let (start, len) = (offset as usize, length as usize);
                match start.checked_add(len).filter(|end| *end <= buffer.len()) {
                    Some(end) => {
                        // SAFETY: the program provides `length` writable bytes at `var_addr`.
                        unsafe {
                            std::ptr::copy_nonoverlapping(buffer[start..end].as_ptr(), var_addr, len)
                        };
                        SYSVAR_SUCCESS
                    }
                    None => OFFSET_LENGTH_EXCEEDS_SYSVAR,
                }
            }
            None => SYSVAR_NOT_FOUND,
        })
        .unwrap_or(SYSVAR_NOT_FOUND)
    }

    fn sol_get_clock_sysvar(&self, var_addr: *mut u8) -> u64 {
        copy_sysvar(var_addr, SysvarCache::get_clock)
    }

    fn sol_get_epoch_schedule_sysvar(&self, var_addr: *mut u8) -> u64 {
        copy_sysvar(var_addr, SysvarCache::get_epoch_schedule)
    }

    fn sol_get_rent_sysvar(&self, var_addr: *mut u8) -> u64 {
        copy_sysvar(var_addr, SysvarCache::get_rent)
    }

    fn sol_get_epoch_rewards_sysvar(&self, var_addr: *mut u8) -> u64 {
        copy_sysvar(var_addr, SysvarCache::get_epoch_rewards)
    }

    fn sol_get_last_restart_slot(&self, var_addr: *mut u8) -> u64 {
        copy_sysvar(var_addr, SysvarCache::get_last_restart_slot)
    }

    fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
        with_context(|ic| {
            let (program_id, data) = ic.transaction_context.get_return_data();
            (!data.is_empty()).then(|| (*program_id, data.to_vec()))
        })
        .flatten()
    }

    fn sol_set_return_data(&self, data: &[u8]) {
        with_context(|ic| {
            let tc = &mut *ic.transaction_context;
            let program_id = tc
                .get_current_instruction_context()
                .and_then(|instruction| instruction.get_last_program_key(tc).copied());
            if let Ok(program_id) = program_id {
                let _ = tc.set_return_data(program_id, data.to_vec());
            }
        });
    }

    fn sol_get_stack_height(&self) -> u64 {
        with_context(|ic| ic.get_stack_height() as u64).unwrap_or(0)
    }
}

/// A cross-program invocation made by the running native program, with the same account
/// synchronisation the validator's CPI syscall performs: the caller's view of each account the
/// callee sees is pushed into the runtime before the call, and the writable ones are pulled
/// back into the caller's `AccountInfo`s afterwards.
fn invoke(
    ic: &mut InvokeContext<'static>,
    instruction: &Instruction,
    account_infos: &[AccountInfo],
    signers_seeds: &[&[&[u8]]],
) -> Result<(), InstructionError> {
    let caller = {
        let tc = &*ic.transaction_context;
        *tc.get_current_instruction_context()?.get_last_program_key(tc)?
    };
    let signers = signers_seeds
        .iter()
        .map(|seeds| {
            Pubkey::create_program_address(seeds, &caller)
                .map_err(|_| InstructionError::InvalidSeeds)
        })
        .collect::<Result<Vec<_>, _>>()?;

    let mut synced = Vec::with_capacity(instruction.accounts.len());
    for meta in &instruction.accounts {
        let info = account_infos
            .iter()
            .find(|info| *info.key == meta.pubkey)
            .ok_or(InstructionError::MissingAccount)?;
        let tc = &*ic.transaction_context;
        let context = tc.get_current_instruction_context()?;
        let index = context
            .find_index_of_instruction_account(tc, &meta.pubkey)
            .ok_or(InstructionError::MissingAccount)?;
        let mut account = context.try_borrow_instruction_account(tc, index)?;
        if account.is_writable() {
            push_to_runtime(&mut account, info)?;
        }
        synced.push((info, index, meta.is_writable));
    }

    ic.native_invoke(StableInstruction::from(instruction.clone()), &signers)?;

    let tc = &*ic.transaction_context;
    let context = tc.get_current_instruction_context()?;
    for (info, index, writable) in synced {
        if writable {
            let account = context.try_borrow_instruction_account(tc, index)?;
            pull_from_runtime(info, account.get_lamports(), account.get_owner(), account.get_data())?;
        }
    }
    Ok(())
}

fn push_to_runtime(
    account: &mut solana_transaction_context::BorrowedAccount,
    info: &AccountInfo,
) -> Result<(), InstructionError> {
    // On-chain the callee reads the caller's memory directly, borrowed or not: raw reads here.
    // SAFETY: the cells point into the live parameter buffer of the calling program.
    let (lamports, data) = unsafe { (**info.lamports.as_ptr(), &**info.data.as_ptr()) };
    if account.get_lamports() != lamports {
        account.set_lamports(lamports)?;
    }
    if account.get_data() != data {
        account.set_data_from_slice(data)?;
    }
    if account.get_owner() != info.owner {
        account.set_owner(info.owner.as_ref())?;
    }
    Ok(())
}

fn pull_from_runtime(
    info: &AccountInfo,
    lamports: u64,
    owner: &Pubkey,
    data: &[u8],
) -> Result<(), InstructionError> {
    // SAFETY: as in `push_to_runtime`; the length word before the data and the
    // MAX_PERMITTED_DATA_INCREASE bytes after it belong to the same serialized buffer.
    unsafe {
        **info.lamports.as_ptr() = lamports;
        if info.owner != owner {
            info.assign(owner);
        }
        let current = &mut *info.data.as_ptr();
        let base = current.as_mut_ptr();
        if current.len() != data.len() {
            if data.len() > info.original_data_len().saturating_add(MAX_PERMITTED_DATA_INCREASE) {
                return Err(InstructionError::InvalidRealloc);
            }
            if data.len() < current.len() {
                std::ptr::write_bytes(base.add(data.len()), 0, current.len() - data.len());
            }
            *(base.offset(-8) as *mut u64) = data.len() as u64;
            *info.data.as_ptr() = std::slice::from_raw_parts_mut(base, data.len());
        }
        (*info.data.as_ptr()).copy_from_slice(data);
    }
    Ok(())
}
