import type { Metadata } from "next";
import { headers } from "next/headers";
import { Dashboard } from "./_components/dashboard";

export const metadata: Metadata = { title: "Configs" };
export const dynamic = "force-dynamic";

export default async function DashboardPage() {
  const requestHeaders = await headers();
  const origin = `${requestHeaders.get("x-forwarded-proto") ?? "http"}://${requestHeaders.get("host") ?? "localhost:3000"}`;
  return <Dashboard origin={origin} />;
}
