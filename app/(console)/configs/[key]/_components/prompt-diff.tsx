import type { VersionDiffWire } from "@/lib/query/configs";
import { TemplateText } from "./template-text";

const OP_STYLE = {
  same: { row: "", sign: " ", label: "unchanged" },
  added: { row: "bg-green-50 text-green-950", sign: "+", label: "added" },
  removed: { row: "bg-red-50 text-red-950", sign: "−", label: "removed" },
} as const;

/** A text's line diff, with old and new line numbers like a code review, and its `{{variables}}` highlighted. */
export function PromptDiff({ lines, label }: { lines: VersionDiffWire["prompt"]["lines"]; label: string }) {
  let oldLine = 0;
  let newLine = 0;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full font-mono text-xs" aria-label={label}>
        <tbody>
          {lines.map((line, i) => {
            if (line.op !== "added") oldLine++;
            if (line.op !== "removed") newLine++;
            const style = OP_STYLE[line.op];
            return (
              <tr key={i} className={style.row} aria-label={`${style.label}: ${line.text}`}>
                <td className="w-10 select-none border-r border-slate-200 px-2 text-right text-slate-500">{line.op === "added" ? "" : oldLine}</td>
                <td className="w-10 select-none border-r border-slate-200 px-2 text-right text-slate-500">{line.op === "removed" ? "" : newLine}</td>
                <td className="w-5 select-none px-1 text-center font-bold" aria-hidden="true">
                  {style.sign}
                </td>
                <td className="whitespace-pre-wrap break-words px-2 py-0.5">{line.text ? <TemplateText text={line.text} /> : " "}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
