import type { Metadata } from "next";
import { VersionView } from "../../_components/version-view";

export const metadata: Metadata = { title: "Version" };
export const dynamic = "force-dynamic";

export default async function VersionPage({ params }: { params: Promise<{ key: string; id: string }> }) {
  const { key, id } = await params;
  return <VersionView configKey={key} versionId={id} />;
}
