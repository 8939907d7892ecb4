import type { Metadata } from "next";
import { RolloutView } from "./_components/rollout-view";

export const metadata: Metadata = { title: "Rollout" };
export const dynamic = "force-dynamic";

export default async function RolloutPage({ params }: { params: Promise<{ id: string }> }) {
  return <RolloutView rolloutId={(await params).id} />;
}
