import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "LLM Canary", template: "%s · LLM Canary" },
  description: "Canary releases for LLM applications",
};

// Every page is rendered per request: its scripts carry that answer's CSP nonce (proxy.ts), and
// a page rendered once at build time would carry none, so the browser would block its scripts.
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
