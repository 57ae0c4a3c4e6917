// A skill's documentation on IPFS: the document its seller publishes (summary, SKILL.md, the skill's
// own API as OpenAPI, worked examples), addressed by the docs CID the skill carries on chain. The api
// reads it to show a skill's API spec and examples. CIDs are CIDv1, raw codec, sha2-256 (what
// `ipfs block put` gives), so one CID always names the same bytes and a document read once is kept.
import { FsBlockstore } from "blockstore-fs";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { z } from "zod";
import { invalid } from "../errors.js";

/** Larger documents are refused on publish and reported as invalid on read. */
export const MAX_DOCS_BYTES = 512 * 1024;

const Example = z.object({
  title: z.string().min(1).max(200),
  input: z.unknown(),
  output: z.unknown(),
});

export const SkillDocument = z
  .object({
    format: z.literal("skill-docs/1"),
    summary: z.string().max(2_000),
    skillMd: z.string().max(200_000),
    apiSpec: z.object({ openapi: z.string().regex(/^3\.\d+\.\d+$/, "must be an OpenAPI 3.x version") }).passthrough(),
    examples: z.array(Example).max(50),
  })
  .strict();
export type SkillDocument = z.infer<typeof SkillDocument>;

/** Where the documents' blocks live: an IPFS node's RPC, or the embedded blockstore. */
export interface BlockStore {
  /** The block's bytes; null when the store does not have it. Throws when the store cannot be asked. */
  get(cid: CID): Promise<Uint8Array | null>;
  put(cid: CID, bytes: Uint8Array): Promise<void>;
}

/** The embedded default: blocks in a directory, laid out as Helia's file blockstore lays them out. */
export class EmbeddedBlocks implements BlockStore {
  private readonly store: FsBlockstore;
  private opened: Promise<void> | null = null;

  constructor(directory: string) {
    this.store = new FsBlockstore(directory);
  }

  private open(): Promise<void> {
    // A failed open (a directory that could not be made) is tried again on the next read.
    this.opened ??= this.store.open().catch((error: unknown) => {
      this.opened = null;
      throw error;
    });
    return this.opened;
  }

  async get(cid: CID): Promise<Uint8Array | null> {
    await this.open();
    if (!(await this.store.has(cid))) return null;
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of this.store.get(cid)) {
      size += chunk.length;
      if (size > MAX_DOCS_BYTES) throw new TooLarge();
      chunks.push(chunk);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }

  async put(cid: CID, bytes: Uint8Array): Promise<void> {
    await this.open();
    await this.store.put(cid, bytes);
  }
}

/** A block larger than any docs document may be: never read whole. */
class TooLarge extends Error {}

/** A response body of at most `limit` bytes; a longer one is dropped unread past the limit (TooLarge). */
async function readAtMost(res: Response, limit: number): Promise<Uint8Array> {
  if (Number(res.headers.get("content-length") ?? NaN) > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw new TooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop early cancels the stream.
  for await (const chunk of res.body ?? []) {
    size += chunk.length;
    if (size > limit) throw new TooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A Kubo node's RPC API (`IPFS_API_URL`), for production. */
export class KuboBlocks implements BlockStore {
  constructor(
    private readonly apiUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async get(cid: CID): Promise<Uint8Array | null> {
    // offline=true: answer from the node's own blocks rather than wait on the network for a missing one.
    const res = await fetch(`${this.apiUrl}/api/v0/block/get?arg=${cid}&offline=true`, { method: "POST", signal: AbortSignal.timeout(this.timeoutMs) });
    if (!res.ok) {
      const text = new TextDecoder().decode(await readAtMost(res, 4_096).catch(() => new Uint8Array()));
      if (res.status === 500 && /not found/i.test(text)) return null;
      throw new Error(`IPFS node answered ${res.status}`);
    }
    return readAtMost(res, MAX_DOCS_BYTES);
  }

  async put(cid: CID, bytes: Uint8Array): Promise<void> {
    const form = new FormData();
    form.append("data", new Blob([Buffer.from(bytes)]));
    const res = await fetch(`${this.apiUrl}/api/v0/block/put?cid-codec=raw&mhtype=sha2-256&pin=true`, {
      method: "POST",
      body: form,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw new Error(`IPFS node answered ${res.status}`);
    const { Key } = (await res.json()) as { Key: string };
    if (Key !== cid.toString()) throw new Error(`IPFS node stored the document as ${Key}, expected ${cid}`);
  }
}

/** What a skill's details say about its documentation. */
export type DocsView =
  | { status: "available"; summary: string; skillMd: string; apiSpec: Record<string, unknown>; examples: z.infer<typeof Example>[] }
  | { status: "missing" | "invalid" | "unreachable"; reason: string };

/** What reading a document by its CID gave: its decoded value, or why there is none. */
export type Read<V> = { status: "available"; value: V } | { status: "missing" | "invalid" | "unreachable"; reason: string };

/** Sets `key` in a map of at most `max` entries, the oldest dropped first. */
function keep<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  if (map.size >= max && !map.has(key)) map.delete(map.keys().next().value!);
  map.set(key, value);
}

const CID_TEXT = /^[a-zA-Z0-9]{1,64}$/;

export async function cidOf(bytes: Uint8Array): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(bytes));
}

/**
 * Documents read by CID from a block store, checked against their CID and decoded, with what was
 * read kept: a raw sha2-256 CID names its bytes, so a document read once (or found invalid) never
 * changes; a missing or unreachable one is asked again after a while. Concurrent reads of one CID
 * share one fetch.
 */
export class CidDocuments<V> {
  /** Read results that can never change (available or invalid), by CID. Bounded: oldest dropped first. */
  private readonly settled = new Map<string, Read<V>>();
  /** Missing or unreachable documents, remembered briefly so one read often does not ask the store each time. */
  private readonly recent = new Map<string, { view: Read<V>; until: number }>();
  private readonly reading = new Map<string, Promise<Read<V>>>();

  /**
   * `what` names the document in reasons ("the skill's docs"); `decode` turns checked bytes into
   * the value, or says why they are not one.
   */
  constructor(
    readonly blocks: BlockStore,
    private readonly what: string,
    private readonly decode: (bytes: Uint8Array) => { value: V } | { invalid: string },
    private readonly maxSettled = 1_000,
    private readonly retryAfterMs = 15_000,
  ) {}

  /** Stores `bytes` and returns their CID. */
  async put(bytes: Uint8Array): Promise<string> {
    const cid = await cidOf(bytes);
    await this.blocks.put(cid, bytes);
    this.recent.delete(cid.toString());
    return cid.toString();
  }

  /** The document under `cidText`, or why there is none to show. Never throws. */
  async read(cidText: string): Promise<Read<V>> {
    const known = this.settled.get(cidText) ?? this.recentView(cidText);
    if (known) return known;
    let pending = this.reading.get(cidText);
    if (!pending) {
      pending = this.fetchAndCheck(cidText).finally(() => this.reading.delete(cidText));
      this.reading.set(cidText, pending);
    }
    return pending;
  }

  private recentView(cid: string): Read<V> | undefined {
    const entry = this.recent.get(cid);
    if (entry && entry.until > Date.now()) return entry.view;
    if (entry) this.recent.delete(cid);
    return undefined;
  }

  private async fetchAndCheck(cidText: string): Promise<Read<V>> {
    const what = this.what;
    let cid: CID;
    try {
      if (!CID_TEXT.test(cidText)) throw new Error("not a CID");
      cid = CID.parse(cidText);
    } catch {
      return this.settle(cidText, { status: "invalid", reason: `${what} CID is not a valid CID` });
    }
    // Only the form documents are published in can be checked against its bytes; others are not fetched.
    if (cid.version !== 1 || cid.code !== raw.code || cid.multihash.code !== sha256.code) {
      return this.settle(cidText, { status: "invalid", reason: `${what} CID is not a CIDv1 of a raw sha2-256 block` });
    }
    let bytes: Uint8Array | null;
    try {
      bytes = await this.blocks.get(cid);
    } catch (error) {
      if (error instanceof TooLarge) return this.settle(cidText, { status: "invalid", reason: `${what} are larger than ${MAX_DOCS_BYTES} bytes` });
      return this.remember(cidText, { status: "unreachable", reason: `the IPFS store holding ${what} could not be reached` });
    }
    if (!bytes) return this.remember(cidText, { status: "missing", reason: `no IPFS block is known for ${what} CID` });
    // A raw sha2-256 CID names its bytes: different bytes are the store's fault, not the document's.
    if (!cid.equals(await cidOf(bytes))) {
      return this.remember(cidText, { status: "unreachable", reason: `the IPFS store returned bytes that do not match ${what} CID` });
    }
    const decoded = this.decode(bytes);
    return this.settle(cidText, "invalid" in decoded ? { status: "invalid", reason: decoded.invalid } : { status: "available", value: decoded.value });
  }

  private settle(cid: string, view: Read<V>): Read<V> {
    keep(this.settled, cid, view, this.maxSettled);
    return view;
  }

  private remember(cid: string, view: Read<V>): Read<V> {
    keep(this.recent, cid, { view, until: Date.now() + this.retryAfterMs }, this.maxSettled);
    return view;
  }
}

/** UTF-8 JSON of `bytes`, or undefined when they are not. */
function utf8Json(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}

/** Skill documentation (skill-docs/1) on IPFS. */
export class SkillDocs {
  private readonly documents: CidDocuments<SkillDocument>;

  constructor(blocks: BlockStore, maxSettled = 1_000, retryAfterMs = 15_000) {
    const decode = (bytes: Uint8Array) => {
      const json = utf8Json(bytes);
      if (json === undefined) return { invalid: "the docs are not UTF-8 JSON" };
      const parsed = SkillDocument.safeParse(json);
      if (parsed.success) return { value: parsed.data };
      const issue = parsed.error.issues[0]!;
      return { invalid: `the docs do not follow skill-docs/1: ${issue.path.join(".") || "document"}: ${issue.message}` };
    };
    this.documents = new CidDocuments<SkillDocument>(blocks, "the skill's docs", decode, maxSettled, retryAfterMs);
  }

  /** The store the documents live in (review texts live there too). */
  get blocks(): BlockStore {
    return this.documents.blocks;
  }

  /** Stores `document` and returns its CID, the value a skill's `docs_cid` takes. */
  async publish(document: unknown): Promise<string> {
    const parsed = SkillDocument.safeParse(document);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalid("invalid_docs", `docs ${issue.path.join(".") || "document"}: ${issue.message}`, parsed.error.issues);
    }
    const bytes = new TextEncoder().encode(JSON.stringify(parsed.data));
    if (bytes.length > MAX_DOCS_BYTES) throw invalid("docs_too_large", `docs are ${bytes.length} bytes; at most ${MAX_DOCS_BYTES}`);
    return this.documents.put(bytes);
  }

  /** The document under `cidText`, or why there is none to show. Never throws. */
  async read(cidText: string): Promise<DocsView> {
    const read = await this.documents.read(cidText);
    if (read.status !== "available") return read;
    const { summary, skillMd, apiSpec, examples } = read.value;
    return { status: "available", summary, skillMd, apiSpec, examples };
  }
}

export function blockStoreFor(config: { IPFS_API_URL?: string; IPFS_BLOCKSTORE_DIR: string; IPFS_TIMEOUT_MS: number }): BlockStore {
  return config.IPFS_API_URL ? new KuboBlocks(config.IPFS_API_URL.replace(/\/+$/, ""), config.IPFS_TIMEOUT_MS) : new EmbeddedBlocks(config.IPFS_BLOCKSTORE_DIR);
}
