import type { Metadata } from "next";
import { VersionEditor } from "../../_components/version-editor";

export const metadata: Metadata = { title: "New version" };
export const dynamic = "force-dynamic";

export default async function NewVersionPage({ params, searchParams }: { params: Promise<{ key: string }>; searchParams: Promise<{ from?: string }> }) {
  const [{ key }, { from }] = await Promise.all([params, searchParams]);
  return <VersionEditor configKey={key} fromVersionId={typeof from === "string" ? from : undefined} />;
}
