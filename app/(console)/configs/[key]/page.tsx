import type { Metadata } from "next";
import { ConfigView } from "./_components/config-view";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ key: string }> }): Promise<Metadata> {
  return { title: (await params).key };
}

export default async function ConfigPage({ params }: { params: Promise<{ key: string }> }) {
  return <ConfigView configKey={(await params).key} />;
}
