import type { Metadata } from "next";
import { headers } from "next/headers";
import { requireUser } from "@/lib/auth/session";
import { getPrisma } from "@/lib/db/client";
import { listConfigs } from "@/lib/release/config-service";
import { ConfigTable } from "./_components/config-table";
import { EmptyState } from "./_components/empty-state";

export const metadata: Metadata = { title: "Configs" };
export const dynamic = "force-dynamic";

export default async function DashboardPage() {
  await requireUser();
  const configs = await listConfigs(await getPrisma());
  const requestHeaders = await headers();
  const origin = `${requestHeaders.get("x-forwarded-proto") ?? "http"}://${requestHeaders.get("host") ?? "localhost:3000"}`;
  return (
    <section aria-labelledby="configs-heading">
      <h1 id="configs-heading" className="mb-6 text-2xl font-semibold">
        Configs
      </h1>
      {configs.length === 0 ? <EmptyState origin={origin} /> : <ConfigTable configs={configs} />}
    </section>
  );
}
