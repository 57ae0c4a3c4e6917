import type { Metadata, Viewport } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { API_URL } from "../lib/api";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Skill Marketplace", template: "%s · Skill Marketplace" },
  description: "Skills for AI agents, licensed on Solana: browse, buy, run and publish.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip" href="#main">
          Skip to content
        </a>
        <header className="top">
          <Link href="/" className="brand">
            Skill Marketplace
          </Link>
          <nav aria-label="Main">
            <Link href="/">Browse</Link>
            <Link href="/licenses">My licenses</Link>
            <Link href="/sell">Sell</Link>
          </nav>
        </header>
        <main id="main">{children}</main>
        <footer className="bottom">
          <p>
            Licenses live on Solana; every call of a skill you hold runs sandboxed and comes back with a signed receipt. Agents:{" "}
            <a href={`${API_URL}/SKILL.md`}>SKILL.md</a>.
          </p>
        </footer>
      </body>
    </html>
  );
}
