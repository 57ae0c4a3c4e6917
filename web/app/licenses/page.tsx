// My licenses: the licenses the connected wallet holds, after it signs in (a signed message; no transaction).
import type { Metadata } from "next";
import { PUBLIC_API_URL, RPC_URL } from "../../lib/config";
import Licenses from "./licenses";

export const metadata: Metadata = { title: "My licenses" };
export const dynamic = "force-dynamic";

export default function LicensesPage() {
  return (
    <>
      <h1>My licenses</h1>
      <Licenses apiUrl={PUBLIC_API_URL} rpcUrl={RPC_URL} />
    </>
  );
}
