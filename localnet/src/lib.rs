//! Local Solana node for development and tests: the marketplace program running natively in
//! LiteSVM (see `svm-harness`), served over Solana's standard JSON-RPC.

pub mod node;
pub mod rpc;
pub mod server;
