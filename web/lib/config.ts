// Where the web app's pages and people's browsers find the marketplace, read when the server starts (not baked
// into the build): the api the server reads (WEB_API_URL), the api as browsers reach it (WEB_PUBLIC_API_URL,
// default the same), the cluster's RPC node wallets send through (WEB_RPC_URL), and the deployment license
// tokens are made for.
import { API_URL } from "./api";

export const PUBLIC_API_URL = (process.env.WEB_PUBLIC_API_URL ?? API_URL).replace(/\/$/, "");
export const RPC_URL = process.env.WEB_RPC_URL ?? "http://127.0.0.1:8899";
/** The deployment license tokens name (the api's public origin, as the executor checks it): WEB_TOKEN_AUDIENCE. */
export const TOKEN_AUDIENCE = process.env.WEB_TOKEN_AUDIENCE ?? new URL(PUBLIC_API_URL).origin;
