// What the indexer package offers the processes and suites that run it: the indexer and its
// configuration, and its stages for tests that drive one alone.
export { loadConfig, ConfigError, type Config } from "./config.js";
export { Indexer, type BatchReport, type IndexerDeps } from "./indexer.js";
export { decodeTransaction, type ChainTransaction, type DecodedTransaction } from "./decode.js";
export { healthServer } from "./health.js";
export { Writer } from "./writer.js";
export { SolanaRpc } from "./rpc.js";
