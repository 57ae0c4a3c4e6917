//! Builds the program's IDL with Anchor's host-side IDL build (no SBF toolchain needed) and
//! writes it where `sdk/` reads it. `--check` compares instead of writing.

use std::process::ExitCode;

fn main() -> ExitCode {
    // The checkout this runs in (scripts/idl.sh starts it at the root), not the one it was compiled
    // in: the target directory is shared by every checkout (~/.cache/skill-marketplace), and cargo
    // reuses one checkout's build in another, so a compiled-in path could name a checkout that is
    // gone, or check another checkout's program.
    let root = match std::env::current_dir() {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("IDL build failed: no working directory: {e}");
            return ExitCode::FAILURE;
        }
    };
    let program = root.join("programs/skill_marketplace");
    if !program.join("Cargo.toml").exists() {
        eprintln!("IDL build failed: {} is not the repository root (run scripts/idl.sh)", root.display());
        return ExitCode::FAILURE;
    }
    let target = root.join("sdk/idl/skill_marketplace.json");
    let check = std::env::args().any(|a| a == "--check");

    // The IDL builder would pass a `+toolchain` argument when this is set; we use the default.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let idl = match anchor_lang_idl::build::IdlBuilder::new()
        .program_path(program)
        .resolution(true)
        .skip_lint(false)
        // Only the library's unit-test target prints the IDL; skip linking the integration tests.
        .cargo_args(vec!["--lib".into()])
        .build()
    {
        Ok(idl) => idl,
        Err(e) => {
            eprintln!("IDL build failed: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let json = serde_json::to_string_pretty(&idl).expect("IDL serializes") + "\n";
    if check {
        let committed = std::fs::read_to_string(&target).unwrap_or_default();
        if committed == json {
            println!("check passed: sdk/idl/skill_marketplace.json matches the program");
            ExitCode::SUCCESS
        } else {
            println!("check failed: sdk/idl/skill_marketplace.json is stale; run `npm run idl`");
            ExitCode::FAILURE
        }
    } else {
        std::fs::write(&target, json).expect("write IDL");
        println!("wrote {}", target.display());
        ExitCode::SUCCESS
    }
}
