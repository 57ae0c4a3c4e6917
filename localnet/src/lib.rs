//! Local Solana node for development and tests: the marketplace program running natively in
//! LiteSVM (see `svm-harness`), served over Solana's standard JSON-RPC.

pub mod ledger;
pub mod node;
pub mod pubsub;
pub mod rpc;
pub mod server;
