import type { Metadata } from "next";
import { Settings } from "./_components/settings";

export const metadata: Metadata = { title: "Settings" };
export const dynamic = "force-dynamic";

export default function SettingsPage() {
  return <Settings />;
}
