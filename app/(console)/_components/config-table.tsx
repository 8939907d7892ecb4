import type { ConfigDto } from "@/lib/release/config-schemas";

export function ConfigTable({ configs }: { configs: ConfigDto[] }) {
  return (
    <table className="w-full overflow-hidden rounded-xl border border-slate-200 bg-white text-left text-sm">
      <thead className="bg-slate-100 text-slate-600">
        <tr>
          <th scope="col" className="px-4 py-2 font-medium">Config</th>
          <th scope="col" className="px-4 py-2 font-medium">Stable version</th>
          <th scope="col" className="px-4 py-2 font-medium">Canary</th>
        </tr>
      </thead>
      <tbody>
        {configs.map((config) => (
          <tr key={config.id} className="border-t border-slate-200">
            <td className="px-4 py-3">
              <div className="font-medium">{config.name}</div>
              <div className="font-mono text-xs text-slate-500">{config.key}</div>
            </td>
            <td className="px-4 py-3">{config.stableVersion?.label ?? <span className="text-slate-400">none yet</span>}</td>
            <td className="px-4 py-3">
              {config.activeRollout ? (
                <span>
                  {config.activeRollout.canaryVersion.label} · {config.activeRollout.status} · {config.canaryPercent}%
                </span>
              ) : (
                <span className="text-slate-400">no active rollout</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
