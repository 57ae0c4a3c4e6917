// The seller's dashboard: the signed-in wallet's skills, sales, revenue per currency, usage per day and ratings.
import type { Metadata } from "next";
import { PUBLIC_API_URL, RPC_URL } from "../../lib/config";
import Dashboard from "./dashboard";

export const metadata: Metadata = { title: "Seller dashboard" };
export const dynamic = "force-dynamic";

export default function SellPage() {
  return (
    <>
      <h1>Seller dashboard</h1>
      <Dashboard apiUrl={PUBLIC_API_URL} rpcUrl={RPC_URL} />
    </>
  );
}
