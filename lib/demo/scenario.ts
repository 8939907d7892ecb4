import type { VersionDto } from "../release/version-schemas";
import { GPT_4O_MINI, type DemoConfig } from "./demo-config";
import { POLICY_ANSWERS } from "./policy-answers";
import type { ConfigTraffic } from "./simulator";
import type { VariantProfile } from "./traffic-model";

// The demo's three LLM features: what `npm run demo` seeds (lib/demo/seed.ts) and how their
// simulated users fare (lib/demo/simulator.ts). `demo-support-chat` gets a better prompt that
// promotes itself through three short stages; `demo-doc-search` gets a retrieval change whose
// reranker times out on about one query in six, which the controller rolls back;
// `demo-policy-answers` (lib/demo/policy-answers.ts) gets a cheaper retrieval whose answers are
// less grounded, which only its custom groundedness score shows, and is rolled back on that score.
// The keys carry a `demo-` prefix to stay clear of the keys a user picks first (`support-chat` is
// the README's example); seed.ts still refuses any of them that the demo did not create itself.
//
// Timing, with the judge's floors (lib/analysis/judge.ts: 20 canary and 100 stable requests
// before the error rate is judged, α = 0.25 %): doc-search's canary fails 15 % of requests
// against stable's 1 %, which takes some 25-50 canary requests of evidence (a warning holds
// the first stage meanwhile) — at 10 % of 15 requests/s, about 15-35 s. support-chat's three
// stages need 15 s each, so it promotes after about 45 s unless a guardrail fails or warns.
// Its stable fails 2 % of requests rather than 1 %: stable's rate is estimated from a few
// hundred requests, and with 1 % too often came out so low that an equal canary looked worse.
// tests/unit/demo-traffic.test.ts runs these profiles through the judge on 200 seeded streams.

export type { DemoConfig, DemoScore } from "./demo-config";

// The prompts are templates (README, "Templates"): the app sends `question` (and `plan` when it
// knows it) with each route call; `product` has a default; the history placeholder is where the
// app puts the conversation so far.
const SUPPORT_PROMPT_V1 = `You are the support assistant of {{product}}, a hosting platform.
Answer the customer's question about their account, billing or deployments. Be friendly and helpful.{{#plan}}
The customer is on the {{plan}} plan.{{/plan}}`;

const SUPPORT_PROMPT_STRUCTURED = `You are the support assistant of {{product}}, a hosting platform.{{#plan}}
The customer is on the {{plan}} plan.{{/plan}}

Goals, in this order:
1. Solve the customer's problem in as few turns as possible.
2. Never invent account details, prices, limits or policies. If the answer is not in the
   conversation or in the help-center excerpts below, say so and offer a hand-over to a human agent.
3. Keep answers under 150 words; use numbered steps for anything the customer must do.

Style: plain language, no marketing, no apologies beyond one sentence. If the customer is upset,
acknowledge it once, then move to the fix.
Refunds and plan changes: explain the steps, but never promise an outcome; only agents approve refunds.`;

const SUPPORT_VARIABLES = [
  { name: "product", default: "Acme Cloud", description: "the product the assistant supports" },
  { name: "plan", description: "the customer's plan, when the app knows it" },
  { name: "question", description: "the customer's message" },
];

/** A support-chat template: its system prompt, the conversation so far, the customer's question. */
const supportMessages = (system: string) => [
  { role: "system" as const, content: system },
  { role: "placeholder" as const, name: "history" },
  { role: "user" as const, content: "{{question}}" },
];

/** The stable version's messages with another system prompt (every other message kept). */
const withSystemPrompt = (stable: VersionDto, system: string) =>
  stable.messages.map((m) => (m.role === "system" ? { ...m, content: system } : m));

const LOOK_UP_INVOICE = {
  name: "look_up_invoice",
  description: "The customer's invoices of a month, to answer billing questions from facts.",
  parameters: {
    type: "object",
    properties: { month: { type: "string", description: "YYYY-MM" }, invoiceId: { type: "string" } },
    required: ["month"],
    additionalProperties: false,
  },
};

const DOCS_PROMPT = `You answer developers' questions about the Acme Cloud documentation.
Use only the documentation excerpts provided below. After each claim, cite the page it came from
as [Page title]. Show code in fenced blocks with the language named.
If the excerpts do not answer the question, say that you don't know and name the closest page.`;

const supportStable: VariantProfile = {
  errorRate: 0.02,
  errorTypes: ["rate_limited", "upstream_timeout"],
  latency: { medianMs: 1_400, sigma: 0.45 },
  ratings: [0.05, 0.07, 0.16, 0.4, 0.32],
  ratingShare: 0.2,
  lateRatingShare: 0.05,
  tokens: { input: 900, output: 260, sigma: 0.35 },
  pricing: GPT_4O_MINI,
};

const docsStable: VariantProfile = {
  errorRate: 0.01,
  errorTypes: ["upstream_timeout"],
  latency: { medianMs: 2_300, sigma: 0.4 },
  ratings: [0.04, 0.06, 0.18, 0.42, 0.3],
  ratingShare: 0.15,
  lateRatingShare: 0.05,
  tokens: { input: 2_600, output: 380, sigma: 0.3 },
  pricing: GPT_4O_MINI,
};

export const DEMO_CONFIGS: readonly DemoConfig[] = [
  {
    key: "demo-support-chat",
    name: "Support chat (demo)",
    description: "Simulated by `npm run demo`. The in-app assistant that answers customers' account, billing and deployment questions.",
    stable: {
      model: "gpt-4o-mini",
      provider: "openai",
      messages: supportMessages(SUPPORT_PROMPT_V1),
      variables: SUPPORT_VARIABLES,
      temperature: 0.7,
      topP: 1,
      maxTokens: 800,
      retrievalStrategy: { type: "vector", index: "help-center", topK: 4, minScore: 0.7 },
      params: {},
      description: "First version: a short, generic prompt.",
    },
    canaries: [
      (stable) => ({
        messages: withSystemPrompt(stable, SUPPORT_PROMPT_STRUCTURED),
        tools: [LOOK_UP_INVOICE],
        toolChoice: "auto",
        temperature: 0.3,
        maxTokens: 600,
        description:
          "Structured prompt: goals in order, no invented policies, hand-over to a human, shorter answers; an invoice look-up tool; lower temperature for consistent answers.",
      }),
      () => ({ model: "gpt-4.1-mini", description: "Same prompt on gpt-4.1-mini: better instruction following at a similar latency." }),
      (stable) => ({
        messages: withSystemPrompt(stable, `${stable.systemPrompt}\nIf the request is ambiguous, ask one clarifying question before answering.`),
        maxTokens: 500,
        description: "Ask one clarifying question on ambiguous requests; shorter answers.",
      }),
    ],
    stages: [
      { percent: 10, minDurationSec: 15, minSamples: 20 },
      { percent: 50, minDurationSec: 15, minSamples: 60 },
      { percent: 100, minDurationSec: 15, minSamples: 100 },
    ],
    traffic: {
      requestsPerSecond: 25,
      stable: supportStable,
      // Better answers, longer prompt, shorter answers: ratings up, cost up ~15 %, latency about
      // the same, slightly fewer upstream timeouts.
      canary: {
        ...supportStable,
        errorRate: 0.015,
        latency: { medianMs: 1_350, sigma: 0.4 },
        ratings: [0.02, 0.04, 0.1, 0.38, 0.46],
        tokens: { input: 1_050, output: 220, sigma: 0.35 },
      },
      inputs: [
        "I was charged twice for my Pro plan this month, can you refund one?",
        "How do I add a custom domain to my deployment?",
        "My build fails with 'out of memory' since yesterday.",
        "Can I downgrade to the free plan without losing my data?",
        "Where do I find my invoices?",
        "How do I invite a teammate to my project?",
        "The dashboard says my deployment is healthy but the site returns 502.",
        "Is there a way to pause billing for a month?",
      ],
    },
  },
  {
    key: "demo-doc-search",
    name: "Docs search answers (demo)",
    description: "Simulated by `npm run demo`. Answers developers' questions from the product documentation (retrieval-augmented generation over the docs index).",
    stable: {
      model: "gpt-4o-mini",
      provider: "openai",
      messages: [
        { role: "system", content: DOCS_PROMPT },
        { role: "user", content: "{{#excerpts}}Documentation excerpts:\n{{excerpts}}\n\n{{/excerpts}}Question: {{question}}" },
      ],
      variables: [
        { name: "excerpts", description: "the retrieved documentation passages" },
        { name: "question", description: "the developer's question" },
      ],
      temperature: 0.2,
      topP: 1,
      maxTokens: 1_000,
      retrievalStrategy: { type: "vector", index: "docs-2025-05", topK: 5, minScore: 0.75 },
      params: {},
      description: "Dense-vector retrieval, top 5 passages.",
    },
    canaries: [
      () => ({
        retrievalStrategy: {
          type: "hybrid",
          index: "docs-2025-05",
          topK: 20,
          minScore: 0.5,
          reranker: "cross-encoder/ms-marco-MiniLM-L-6-v2",
          params: { bm25Weight: 0.4, rerankTopN: 8, rerankTimeoutMs: 800 },
        },
        description: "Hybrid retrieval (BM25 + vectors) with a cross-encoder reranker: better recall for API names and error codes.",
      }),
      () => ({
        retrievalStrategy: {
          type: "hybrid",
          index: "docs-2025-05",
          topK: 12,
          minScore: 0.5,
          reranker: "cross-encoder/ms-marco-MiniLM-L-6-v2",
          params: { bm25Weight: 0.4, rerankTopN: 6, rerankTimeoutMs: 1500 },
        },
        description: "Hybrid retrieval again, fewer candidates and a longer reranker timeout.",
      }),
    ],
    stages: [
      // Enough canary samples at 10 % for the error-rate evidence to build up before any advance:
      // the bad canary is caught on its first stage, as a small first stage is meant to do.
      { percent: 10, minDurationSec: 20, minSamples: 60 },
      { percent: 50, minDurationSec: 20, minSamples: 120 },
      { percent: 100, minDurationSec: 20, minSamples: 200 },
    ],
    traffic: {
      requestsPerSecond: 15,
      stable: docsStable,
      // The reranker times out on about one query in six; the answers it does give are fine.
      canary: {
        ...docsStable,
        errorRate: 0.15,
        errorTypes: ["retrieval_timeout", "retrieval_timeout", "context_length_exceeded"],
        latency: { medianMs: 2_500, sigma: 0.4 },
        tokens: { input: 3_400, output: 380, sigma: 0.3 },
      },
      inputs: [
        "How do I set environment variables for a preview deployment?",
        "What does error E_BUILD_CACHE_CORRUPT mean?",
        "Show me how to call the deployments API with curl.",
        "What are the request limits of the free plan?",
        "How do I roll back to a previous deployment from the CLI?",
        "Can I use a monorepo with several apps?",
        "How do webhooks sign their payloads?",
      ],
    },
  },
  POLICY_ANSWERS,
];

/** The simulator's traffic for the demo configs. */
export function demoTraffic(configs: readonly DemoConfig[] = DEMO_CONFIGS): ConfigTraffic[] {
  return configs.map((c) => ({ config: c.key, ...c.traffic }));
}
