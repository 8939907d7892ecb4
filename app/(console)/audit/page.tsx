import type { Metadata } from "next";
import { AuditLog } from "./_components/audit-log";

export const metadata: Metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

export default function AuditPage() {
  return <AuditLog />;
}
