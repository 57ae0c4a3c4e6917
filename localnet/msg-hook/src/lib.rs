//! `msg!` for programs of this workspace.
//!
//! On SBF this is the `sol_log_` syscall, exactly as upstream. On the host, upstream prints to
//! stdout, which would lose program logs when the program runs natively inside the SVM; here a
//! process-wide hook (set by the native harness) receives the message instead, so it lands in the
//! transaction's log messages as `Program log: …`. Without a hook it still prints.

#[macro_export]
macro_rules! msg {
    ($msg:expr) => {
        $crate::sol_log($msg)
    };
    ($($arg:tt)*) => ($crate::sol_log(&format!($($arg)*)));
}

#[cfg(target_os = "solana")]
pub mod syscalls {
    pub use solana_define_syscall::definitions::{
        sol_log_, sol_log_64_, sol_log_compute_units_, sol_log_data,
    };
}

#[cfg(not(target_os = "solana"))]
static LOG_HOOK: std::sync::OnceLock<fn(&str)> = std::sync::OnceLock::new();

/// Route host-side program logs to `hook` (first caller wins; later calls are ignored).
#[cfg(not(target_os = "solana"))]
pub fn set_log_hook(hook: fn(&str)) {
    let _ = LOG_HOOK.set(hook);
}

#[inline]
pub fn sol_log(message: &str) {
    #[cfg(target_os = "solana")]
    unsafe {
        syscalls::sol_log_(message.as_ptr(), message.len() as u64);
    }

    #[cfg(not(target_os = "solana"))]
    match LOG_HOOK.get() {
        Some(hook) => hook(message),
        None => println!("{message}"),
    }
}
