import type { Metadata } from "next";
import { Playground } from "./_components/playground";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ key: string }> }): Promise<Metadata> {
  return { title: `Playground · ${(await params).key}` };
}

export default async function PlaygroundPage({ params }: { params: Promise<{ key: string }> }) {
  return <Playground configKey={(await params).key} />;
}
