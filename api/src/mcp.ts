// The marketplace's MCP servers over Streamable HTTP: /mcp (the marketplace's tools) and /mcp/skills/:id (one
// skill, one tool per endpoint). The servers are the ones stdio serves (@skill-marketplace/mcp); their tools call
// this api's own routes over loopback with the caller's API key, so every rule, limit and error is the api's.
// Sessions are bound to the API key that opened them (or to no key: the tools that need no identity); they resume
// after a dropped stream from the events kept for them (Last-Event-ID), and end when idle or deleted.
import { randomBytes, randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { EventStore } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { ApiError, MarketplaceClient, marketplaceMcpServer, skillMcpServer } from "@skill-marketplace/mcp";
import { keyOf } from "./adapters/chain.js";
import { DomainError, type ErrorCode } from "./errors.js";
import { STATUS } from "./http/errors.js";

type Caller = { wallet: string; keyId: string };
type Session = {
  transport: StreamableHTTPServerTransport;
  owner: string | null;
  /** Whose share of the sessions it counts against: the key, or the address of a caller without one. */
  holder: string;
  path: string;
  lastSeen: number;
  close: () => Promise<unknown>;
};

/** Sessions one key (or one address without a key) may hold open at once. */
export const MCP_SESSIONS_PER_HOLDER = 16;

/** Events kept per session for resuming a stream, by count and by size; older ones are dropped. */
const EVENTS_PER_SESSION = 500;
const EVENT_BYTES_PER_SESSION = 1024 * 1024;

/** A session's replayable events, in memory (sessions live on the instance that opened them). */
class SessionEvents implements EventStore {
  private readonly events: { id: string; stream: string; message: JSONRPCMessage; bytes: number }[] = [];
  private bytes = 0;
  private next = 0;

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const id = `${streamId}_${String(++this.next).padStart(12, "0")}`;
    const bytes = JSON.stringify(message).length;
    this.events.push({ id, stream: streamId, message, bytes });
    this.bytes += bytes;
    while (this.events.length > EVENTS_PER_SESSION || (this.bytes > EVENT_BYTES_PER_SESSION && this.events.length > 1)) this.bytes -= this.events.shift()!.bytes;
    return id;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return this.events.find((e) => e.id === eventId)?.stream;
  }

  async replayEventsAfter(lastEventId: string, { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> }): Promise<string> {
    const at = this.events.findIndex((e) => e.id === lastEventId);
    if (at < 0) return "";
    const stream = this.events[at]!.stream;
    for (const e of this.events.slice(at + 1)) if (e.stream === stream) await send(e.id, e.message);
    return stream;
  }
}

export interface McpHttpOptions {
  authenticate: (header: string | undefined, required: boolean) => Promise<Caller | undefined>;
  /** The origin license tokens name (API_PUBLIC_URL). */
  audience: string;
  maxSessions?: number;
  idleMs?: number;
}

/** JSON-RPC's error shape, as MCP clients expect it from the transport. */
const rpcError = (res: Response, status: number, code: number, message: string) => res.status(status).json({ jsonrpc: "2.0", error: { code, message }, id: null });

export class McpHttp {
  private readonly sessions = new Map<string, Session>();
  /** Sessions being opened (counted against their holder's share until they are open or failed). */
  private readonly opening = new Map<string, number>();
  /** Marks this api's own loopback calls, which the per-IP limit has already counted at /mcp. */
  readonly relaySecret = randomBytes(24).toString("base64url");
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly o: McpHttpOptions) {
    this.sweeper = setInterval(() => void this.sweep(), Math.min(60_000, this.idleMs)).unref();
  }

  private get idleMs() {
    return this.o.idleMs ?? 30 * 60_000;
  }

  /** Whether a request is this api's own call on behalf of an MCP session. */
  isRelay(req: Request): boolean {
    // The secret, from this host's own address (the relay connects to the address the api listens on).
    return req.headers["x-skill-marketplace-relay"] === this.relaySecret && req.socket.remoteAddress === req.socket.localAddress;
  }

  handler(kind: "marketplace" | "skill") {
    return async (req: Request, res: Response, next: NextFunction) => {
      try {
        await this.handle(kind, req, res);
      } catch (error) {
        // The api's own answer, relayed: its code when it is one of ours, else the api was not reachable as itself.
        if (error instanceof ApiError && error.code in STATUS) next(new DomainError(error.code as ErrorCode, error.message.replace(`${error.code}: `, ""), error.details as never));
        else if (error instanceof ApiError) next(new DomainError("unavailable", `the marketplace answered ${error.status} while opening the MCP session`));
        else next(error);
      }
    };
  }

  private async handle(kind: "marketplace" | "skill", req: Request, res: Response): Promise<void> {
    const header = req.headers.authorization;
    const caller = await this.o.authenticate(header, false);
    const owner = caller?.keyId ?? null;
    // JSON-RPC batches are not part of MCP (since 2025-06-18), and one POST must not carry a hundred calls.
    if (Array.isArray(req.body)) {
      rpcError(res, 400, -32600, "batches are not accepted: send one JSON-RPC message per request");
      return;
    }
    const id = req.headers["mcp-session-id"];
    if (typeof id === "string") {
      const session = this.sessions.get(id);
      // Another key's session is as absent as one that never was.
      if (!session || session.owner !== owner || session.path !== req.path) {
        rpcError(res, 404, -32001, "session not found: initialize a new one");
        return;
      }
      session.lastSeen = Date.now();
      await session.transport.handleRequest(req, res, req.body);
      return;
    }
    if (req.method !== "POST" || !isInitializeRequest(req.body)) {
      rpcError(res, 400, -32000, "no session: send initialize first (without Mcp-Session-Id)");
      return;
    }
    await this.sweep();
    const holder = owner ?? `ip:${req.ip}`;
    const held = [...this.sessions.values()].filter((s) => s.holder === holder).length + (this.opening.get(holder) ?? 0);
    if (held >= MCP_SESSIONS_PER_HOLDER) {
      res.setHeader("Retry-After", "60");
      rpcError(res, 429, -32000, `at most ${MCP_SESSIONS_PER_HOLDER} MCP sessions are open per ${owner ? "API key" : "address"}: end one (DELETE /mcp with its Mcp-Session-Id) or let it idle out`);
      return;
    }
    if (this.sessions.size + [...this.opening.values()].reduce((a, b) => a + b, 0) >= (this.o.maxSessions ?? 500)) {
      res.setHeader("Retry-After", "60");
      rpcError(res, 503, -32000, "too many MCP sessions are open on this instance; retry in a minute");
      return;
    }
    // Counted from now: a slow opening (a skill's details to read) cannot be raced past the caps.
    this.opening.set(holder, (this.opening.get(holder) ?? 0) + 1);
    try {
      await this.openSession(kind, req, res, header, owner, holder);
    } finally {
      const left = (this.opening.get(holder) ?? 1) - 1;
      if (left > 0) this.opening.set(holder, left);
      else this.opening.delete(holder);
    }
  }

  private async openSession(kind: "marketplace" | "skill", req: Request, res: Response, header: string | undefined, owner: string | null, holder: string): Promise<void> {
    const client = new MarketplaceClient(this.loopback(req), { apiKey: header?.replace(/^Bearer\s+/, ""), headers: { "x-skill-marketplace-relay": this.relaySecret } });
    const server =
      kind === "skill"
        ? skillMcpServer({ client, audience: this.o.audience, skill: await client.call("GET", `/skills/${keyOf(String(req.params.id), "skill id").toBase58()}`) })
        : marketplaceMcpServer({ client, audience: this.o.audience });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: new SessionEvents(),
      onsessioninitialized: (sessionId) => {
        this.sessions.set(sessionId, { transport, owner, holder, path: req.path, lastSeen: Date.now(), close: () => server.close() });
      },
      onsessionclosed: (sessionId) => {
        this.sessions.delete(sessionId);
      },
    });
    await server.connect(transport);
    // However the transport ends (closed by the server, the session deleted), its session goes.
    const closed = transport.onclose;
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
      closed?.();
    };
    await transport.handleRequest(req, res, req.body);
  }

  /** This instance, as its own routes are reached from here (the address the request came in on). */
  private loopback(req: Request): string {
    const address = req.socket.localAddress ?? "127.0.0.1";
    const host = address.startsWith("::ffff:") ? address.slice(7) : address.includes(":") ? `[${address}]` : address;
    return `http://${host}:${req.socket.localPort}`;
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const [id, session] of this.sessions) {
      if (now - session.lastSeen > this.idleMs) {
        this.sessions.delete(id);
        await session.close().catch(() => undefined);
      }
    }
  }

  get open(): number {
    return this.sessions.size;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const [id, session] of this.sessions) {
      this.sessions.delete(id);
      await session.close().catch(() => undefined);
    }
  }
}
