"use client";

import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { json } from "@codemirror/lang-json";
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { linter, type Diagnostic } from "@codemirror/lint";
import { Compartment, EditorState, RangeSetBuilder, type Extension } from "@codemirror/state";
import { Decoration, EditorView, keymap, lineNumbers, placeholder, ViewPlugin, type DecorationSet, type ViewUpdate } from "@codemirror/view";
import { useEffect, useId, useRef, type ReactNode } from "react";
import { templateSegments } from "@/lib/console/template-preview";

// The console's code editor (CodeMirror 6, bundled from npm): JSON with syntax colours and its
// parse error underlined, or a prompt template with its `{{tags}}` highlighted and its syntax
// problems underlined. Tab is left to the page (it moves focus), so the editor never traps the
// keyboard. CodeMirror injects its styles as <style> elements: the page CSP's style-src allows
// them (lib/security-headers.ts); scripts stay nonce-only.

export interface EditorProblem {
  /** 0-based offset where the problem starts; the underline runs to `to` (or one character). */
  from: number;
  to?: number;
  message: string;
}

export type CodeMode = "json" | "template";

const TAG_CLASS = { variable: "cm-tpl-variable", section: "cm-tpl-section", inverted: "cm-tpl-section", close: "cm-tpl-section" } as const;

/** Marks each `{{tag}}` of the text (the same reading as the read-only views' highlighting). */
const templateTags = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = this.build(view);
    }
    update(update: ViewUpdate) {
      if (update.docChanged) this.decorations = this.build(update.view);
    }
    build(view: EditorView): DecorationSet {
      const builder = new RangeSetBuilder<Decoration>();
      let at = 0;
      for (const segment of templateSegments(view.state.doc.toString())) {
        if (segment.tag) builder.add(at, at + segment.text.length, Decoration.mark({ class: TAG_CLASS[segment.tag] }));
        at += segment.text.length;
      }
      return builder.finish();
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

const theme = EditorView.theme({
  "&": { fontSize: "0.8125rem", backgroundColor: "#fff" },
  "&.cm-focused": { outline: "none" },
  ".cm-content": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace", padding: "6px 0" },
  ".cm-gutters": { backgroundColor: "#f8fafc", color: "#64748b", borderRight: "1px solid #e2e8f0" },
  ".cm-scroller": { overflow: "auto" },
  ".cm-placeholder": { color: "#64748b" },
  ".cm-tpl-variable": { backgroundColor: "#fef3c7", color: "#78350f", borderRadius: "3px", boxShadow: "inset 0 0 0 1px #fcd34d" },
  ".cm-tpl-section": { backgroundColor: "#ede9fe", color: "#4c1d95", borderRadius: "3px", boxShadow: "inset 0 0 0 1px #c4b5fd" },
});

export function CodeEditor({
  value,
  onChange,
  mode,
  labelledBy,
  describedBy,
  invalid,
  problems,
  minLines = 3,
  maxHeight = "24rem",
  placeholderText,
}: {
  value: string;
  onChange: (value: string) => void;
  mode: CodeMode;
  labelledBy: string;
  describedBy?: string;
  invalid?: boolean;
  /** Underlined in the text, checked shortly after typing stops. */
  problems?: (text: string) => readonly EditorProblem[];
  minLines?: number;
  maxHeight?: string;
  placeholderText?: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const attributes = useRef(new Compartment());
  const latest = useRef({ onChange, problems });
  useEffect(() => {
    latest.current = { onChange, problems };
  });

  const contentAttributes = (): Extension =>
    EditorView.contentAttributes.of({
      "aria-labelledby": labelledBy,
      ...(describedBy ? { "aria-describedby": describedBy } : {}),
      ...(invalid ? { "aria-invalid": "true" } : {}),
    });

  useEffect(() => {
    const lint = linter(
      (v): Diagnostic[] => {
        const text = v.state.doc.toString();
        return (latest.current.problems?.(text) ?? []).map((p) => {
          const from = Math.min(p.from, text.length);
          const to = Math.min(Math.max(p.to ?? from + 1, from), text.length);
          return { from, to, severity: "error", message: p.message };
        });
      },
      { delay: 300 },
    );
    const created = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          history(),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          EditorView.lineWrapping,
          theme,
          EditorView.theme({ ".cm-content": { minHeight: `${minLines * 1.4 + 0.75}em` }, "&": { maxHeight } }),
          mode === "json" ? [json(), syntaxHighlighting(defaultHighlightStyle), bracketMatching()] : templateTags,
          lint,
          placeholderText ? placeholder(placeholderText) : [],
          attributes.current.of(contentAttributes()),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) latest.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = created;
    return () => {
      created.destroy();
      view.current = null;
    };
    // Made once; later props reach it through the effects below and `latest`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A value changed from outside (a reset, a version loaded) replaces the text.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: attributes.current.reconfigure(contentAttributes()) });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [labelledBy, describedBy, invalid]);

  return (
    <div
      ref={host}
      className="overflow-hidden rounded-md border border-slate-300 focus-within:outline-2 focus-within:outline-blue-600 has-[[aria-invalid=true]]:border-red-600"
    />
  );
}

/** A labelled code editor with its hint and error, wired as Field wires an input. */
export function CodeField({
  label,
  hint,
  error,
  ...editor
}: { label: ReactNode; hint?: string; error?: string } & Omit<Parameters<typeof CodeEditor>[0], "labelledBy" | "describedBy" | "invalid">) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <span id={`${id}-label`} className="text-sm font-medium text-slate-800">
        {label}
      </span>
      <CodeEditor {...editor} labelledBy={`${id}-label`} describedBy={describedBy} invalid={Boolean(error)} />
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-slate-600">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-xs font-medium text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
