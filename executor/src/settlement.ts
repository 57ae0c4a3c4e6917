// Settles receipts on chain: one `record_usage` per license per batch, carrying the Merkle root of
// its receipts and the usage the license held when the batch was made, so a batch can never be
// counted twice. The outbox is `usage_batches`: a batch's signed transaction is stored before it
// is sent, so after a crash at any point a restart learns whether it landed (same signature)
// instead of sending another. A batch that can no longer land (its blockhash expired unseen, or
// the chain moved on: StaleUsage) gives its receipts back to the next batch.
import { PublicKey, Transaction, type Connection, type Keypair } from "@solana/web3.js";
import bs58 from "bs58";
import type pg from "pg";
import {
  bytesToHex,
  decodeAccount,
  licensePda,
  marketplaceErrorOf,
  marketplaceProgram,
  merkleRoot,
  PROGRAM_ID,
  receiptLeaf,
  recordUsage,
} from "@skill-marketplace/sdk";
import { everyRound, withTransaction, type Logger, type Rounds } from "@skill-marketplace/kit";
import { lockLicense, RECEIPT_COLUMNS, receiptOf, type ReceiptRow } from "./receipts.js";

export interface SettlementOptions {
  connection: Connection;
  pool: pg.Pool;
  meter: Keypair;
  logger: Logger;
  programId?: PublicKey;
  /** Most receipts one batch carries. */
  maxReceipts?: number;
  /**
   * A license's receipts wait for a batch until it would be full or its oldest receipt is this old,
   * in milliseconds: fewer transactions per call at low rates (default 10 s).
   */
  maxAgeMs?: number;
}

export class Settlement {
  private readonly programId: PublicKey;
  private running: Promise<void> | null = null;
  private rounds: Rounds | null = null;

  constructor(private readonly o: SettlementOptions) {
    this.programId = o.programId ?? PROGRAM_ID;
  }

  /** Settles every `intervalMs` until `stop`. */
  start(intervalMs: number): void {
    this.rounds = everyRound(intervalMs, () => this.tick(), { logger: this.o.logger, message: "settlement round failed; retrying" });
  }

  async stop(): Promise<void> {
    await this.rounds?.stop();
    this.rounds = null;
    await this.running;
  }

  /** One round: follow up the batches in flight, then batch what is due (`all`: everything unsettled) and send it. */
  tick(all = false): Promise<void> {
    this.running ??= (async () => {
      try {
        await this.followUp();
        for (const license of await this.unsettledLicenses(all)) {
          const batch = await this.makeBatch(license);
          if (batch !== null) await this.send(batch);
        }
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Rounds until nothing is left to settle (tests, shutdown); at most `rounds`. */
  async drain(rounds = 60, pauseMs = 300): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      await this.tick(true);
      const { rows } = await this.o.pool.query<{ open: number }>(
        `SELECT (SELECT count(*) FROM receipts WHERE batch_id IS NULL AND payment IS NULL) + (SELECT count(*) FROM usage_batches WHERE status IN ('pending', 'sent')) AS open`,
      );
      if (Number(rows[0]!.open) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    throw new Error("receipts still unsettled after draining");
  }

  private async unsettledLicenses(all: boolean): Promise<string[]> {
    const { rows } = await this.o.pool.query<{ license: string }>(
      `SELECT r.license FROM receipts r
       WHERE r.batch_id IS NULL AND r.payment IS NULL
         AND NOT EXISTS (SELECT 1 FROM usage_batches b WHERE b.license = r.license AND b.status IN ('pending', 'sent'))
       GROUP BY r.license
       HAVING $1 OR count(*) >= $2 OR min(r.created_at) < now() - $3 * interval '1 millisecond'
       LIMIT 500`,
      [all, this.o.maxReceipts ?? 1_000, this.o.maxAgeMs ?? 10_000],
    );
    return rows.map((r) => r.license);
  }

  /**
   * Under the license's lock: its unbatched receipts become a batch expecting the usage the chain
   * holds now (no batch of this license is in flight, so every landed one is counted there).
   */
  private async makeBatch(license: string): Promise<number | null> {
    // The chain is read before the license's lock is taken: holds and receipts of the license wait
    // on that lock, never on the node. If a batch lands in between, this one expects too little
    // and the program refuses it (StaleUsage); its receipts then go into the next batch.
    const info = await this.o.connection.getAccountInfo(new PublicKey(license), "confirmed");
    if (!info || !info.owner.equals(this.programId)) throw new Error(`license ${license} is not on chain`);
    const expected = BigInt(decodeAccount("license", info.data).usageUsed.toString());
    const { blockhash, lastValidBlockHeight } = await this.o.connection.getLatestBlockhash("confirmed");
    const program = marketplaceProgram({ connection: this.o.connection });
    return withTransaction(this.o.pool, async (client) => {
      await lockLicense(client, license);
      const open = await client.query("SELECT 1 FROM usage_batches WHERE license = $1 AND status IN ('pending', 'sent') LIMIT 1", [license]);
      const { rows } = await client.query<ReceiptRow>(
        `SELECT ${RECEIPT_COLUMNS} FROM receipts WHERE license = $1 AND batch_id IS NULL AND payment IS NULL ORDER BY created_at, id LIMIT $2`,
        [license, this.o.maxReceipts ?? 1_000],
      );
      if (open.rowCount || rows.length === 0) return null;
      const receipts = rows.map(receiptOf);
      const root = merkleRoot(receipts.map(receiptLeaf));
      const units = receipts.reduce((sum, r) => sum + r.units, 0);
      const skill = new PublicKey(rows[0]!.skill);
      const buyer = new PublicKey(rows[0]!.buyer);
      if (!licensePda(skill, buyer, this.programId).equals(new PublicKey(license))) throw new Error(`receipts of ${license} name another skill or buyer`);
      const instruction = await recordUsage(program, {
        meterAuthority: this.o.meter.publicKey,
        skill,
        buyer,
        units,
        expectedUsageUsed: expected,
        receiptsRoot: root,
        receiptCount: receipts.length,
      }).instruction();
      const tx = new Transaction({ feePayer: this.o.meter.publicKey, blockhash, lastValidBlockHeight }).add(instruction);
      tx.sign(this.o.meter);
      const signature = bs58.encode(tx.signature!);
      const batch = await client.query<{ id: string }>(
        `INSERT INTO usage_batches (license, skill, buyer, units, receipt_count, receipts_root, expected_usage_used, status, tx_signature, transaction, last_valid_height)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10) RETURNING id`,
        [license, skill.toBase58(), buyer.toBase58(), units, receipts.length, bytesToHex(root), expected.toString(), signature, tx.serialize().toString("base64"), lastValidBlockHeight],
      );
      const id = Number(batch.rows[0]!.id);
      await client.query(
        `UPDATE receipts r SET batch_id = $1, batch_index = p.i - 1
         FROM unnest($2::uuid[]) WITH ORDINALITY AS p(id, i) WHERE r.id = p.id`,
        [id, receipts.map((r) => r.id)],
      );
      return id;
    });
  }

  /** Sends (or sends again: same bytes, same signature) a stored batch transaction. */
  private async send(id: number): Promise<void> {
    const { rows } = await this.o.pool.query<{ transaction: string }>("SELECT transaction FROM usage_batches WHERE id = $1", [id]);
    if (!rows[0]) return;
    try {
      await this.o.connection.sendRawTransaction(Buffer.from(rows[0].transaction, "base64"), { skipPreflight: true, maxRetries: 0 });
    } catch (error) {
      // Already processed, or the node refused it now: the follow-up reads its status either way.
      this.o.logger.debug({ batch: id, err: (error as Error).message }, "batch send answered an error");
    }
    await this.o.pool.query("UPDATE usage_batches SET status = 'sent' WHERE id = $1 AND status = 'pending'", [id]);
  }

  /** What became of each batch in flight: landed, failed (receipts back to the queue), or still waiting (sent again). */
  private async followUp(): Promise<void> {
    const { rows } = await this.o.pool.query<{ id: string; license: string; tx_signature: string; last_valid_height: string }>(
      "SELECT id, license, tx_signature, last_valid_height FROM usage_batches WHERE status IN ('pending', 'sent') ORDER BY id",
    );
    if (rows.length === 0) return;
    const statuses = await this.o.connection.getSignatureStatuses(rows.map((r) => r.tx_signature), { searchTransactionHistory: true });
    const height = await this.o.connection.getBlockHeight("confirmed");
    for (const [i, row] of rows.entries()) {
      const status = statuses.value[i];
      const id = Number(row.id);
      if (status && (status.confirmationStatus === "confirmed" || status.confirmationStatus === "finalized")) {
        if (status.err === null) {
          await this.o.pool.query("UPDATE usage_batches SET status = 'landed', settled_at = now(), transaction = NULL WHERE id = $1", [id]);
          this.o.logger.info({ batch: id, license: row.license, signature: row.tx_signature }, "usage batch landed");
        } else {
          const error = marketplaceErrorOf(status.err);
          // StaleUsage: the chain moved on since the batch was made; the receipts go into a new one.
          // Anything else (an expired subscription, a paused marketplace) is kept for a person to look at.
          const retry = error?.name === "StaleUsage" || error?.name === "MarketplacePaused" || error?.name === "SkillSuspended";
          await this.fail(id, `${error?.name ?? JSON.stringify(status.err)}`, retry);
        }
      } else if (height > Number(row.last_valid_height)) {
        // Its blockhash expired and no node has seen it: it can never land.
        await this.fail(id, "blockhash expired before the batch landed", true);
      } else {
        await this.send(id);
      }
    }
  }

  private async fail(id: number, reason: string, release: boolean): Promise<void> {
    await withTransaction(this.o.pool, async (client) => {
      await client.query("UPDATE usage_batches SET status = 'failed', error = $2, transaction = NULL WHERE id = $1", [id, reason]);
      if (release) await client.query("UPDATE receipts SET batch_id = NULL, batch_index = NULL WHERE batch_id = $1", [id]);
    });
    this.o.logger.warn({ batch: id, reason, released: release }, release ? "usage batch did not land; its receipts go into the next one" : "usage batch refused by the program; its receipts are held for review");
  }
}
