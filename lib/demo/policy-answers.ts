import { GPT_4O_MINI, type DemoConfig, type DemoScore } from "./demo-config";
import type { ScoreProfile, VariantProfile } from "./traffic-model";

// The demo's config with custom scores (issue 17): answers to employees' questions from the
// company handbook, as JSON with the sections cited. Two scores: `groundedness`, 0..1 from an
// evaluation model that reads the answer beside the cited sections a few seconds later (sent late
// through the SDK's score(), on nine answers in ten), a guardrail; and `valid_json`, the app's own
// check that the answer parsed (sent with every outcome), tracked only.
//
// The canary cuts retrieval from 8 handbook sections to 3: cheaper and faster, and the answers
// read as well, so users rate them about the same (3.84 against 3.92 stars, a drop the rating
// guardrail, built for 0.5, lets through; at one rating in six it would not even have its 30
// canary ratings in the first stage) — but they are less grounded: 0.76 against 0.86,
// twice the 0.05 drop the threshold allows. At 10 % of 25 requests/s the score has its 30 canary
// values some 15 s in (late ones included), and the evidence passes 400 : 1 soon after: the
// controller rolls the canary back on groundedness after about 20 s (at most 32 s on 200 seeded
// streams), in its first stage, with that verdict's sentence as the reason.
// tests/unit/demo-traffic.test.ts runs these profiles through the judge with and without the scores.

const HANDBOOK_PROMPT = `You answer employees' questions about company policy: travel, expenses, leave, equipment.
Use only the handbook sections below; cite each one you rely on by its id.
If the sections do not answer the question, say so and name the team that can (People Ops for
leave, Finance for expenses). Never guess amounts, limits or dates.
Reply with JSON: { "answer": string, "citations": [section id, ...] }.`;

const POLICY_SCORES: readonly DemoScore[] = [
  {
    key: "groundedness",
    label: "Groundedness",
    description: "Share of the answer's claims that the cited handbook sections support, from an evaluation model (sent a few seconds after the answer).",
    kind: "numeric",
    min: 0,
    max: 1,
    direction: "higher_is_better",
    guardrail: true,
    threshold: { form: "difference", value: 0.05 },
  },
  {
    key: "valid_json",
    label: "Valid JSON",
    description: "The answer parsed as the JSON the app asks for (checked by the app before it shows the answer).",
    kind: "boolean",
    min: null,
    max: null,
    direction: "higher_is_better",
    guardrail: false,
    threshold: { form: "difference", value: 0.02 },
  },
];

/** The evaluator scores nine answers in ten, later; the app checks every answer's JSON at once. */
const scores = (groundedness: { mean: number; sd: number }, validJsonRate: number): ScoreProfile[] => [
  { key: "groundedness", kind: "numeric", min: 0, max: 1, ...groundedness, share: 0, lateShare: 0.9 },
  { key: "valid_json", kind: "boolean", trueRate: validJsonRate, share: 1, lateShare: 0 },
];

const policyStable: VariantProfile = {
  errorRate: 0.01,
  errorTypes: ["upstream_timeout"],
  latency: { medianMs: 1_900, sigma: 0.35 },
  ratings: [0.04, 0.06, 0.16, 0.42, 0.32],
  ratingShare: 0.12,
  lateRatingShare: 0.04,
  tokens: { input: 3_200, output: 300, sigma: 0.3 },
  pricing: GPT_4O_MINI,
  scores: scores({ mean: 0.86, sd: 0.1 }, 0.97),
};

export const POLICY_ANSWERS: DemoConfig = {
  key: "demo-policy-answers",
  name: "Policy answers (demo)",
  description:
    "Simulated by `npm run demo`. Answers employees' questions about travel, expenses and leave from the company handbook, as JSON with the sections it cites. Custom scores: groundedness (an evaluation model, a guardrail) and valid JSON (tracked).",
  stable: {
    model: "gpt-4o-mini",
    provider: "openai",
    messages: [
      { role: "system", content: HANDBOOK_PROMPT },
      { role: "user", content: "{{#sections}}Handbook sections:\n{{sections}}\n\n{{/sections}}Question: {{question}}" },
    ],
    variables: [
      { name: "sections", description: "the retrieved handbook sections, each with its id" },
      { name: "question", description: "the employee's question" },
    ],
    temperature: 0.1,
    topP: 1,
    maxTokens: 600,
    responseFormat: { type: "json_object" },
    retrievalStrategy: { type: "vector", index: "handbook-2025", topK: 8, minScore: 0.6 },
    params: {},
    description: "Vector retrieval of the top 8 handbook sections; JSON answers with citations.",
  },
  canaries: [
    () => ({
      retrievalStrategy: { type: "vector", index: "handbook-2025", topK: 3, minScore: 0.7 },
      description: "Only the top 3 handbook sections: prompts 55 % shorter, answers faster and cheaper.",
    }),
    () => ({
      retrievalStrategy: { type: "vector", index: "handbook-2025", topK: 4, minScore: 0.75, params: { dedupe: true } },
      description: "Top 4 sections with near-duplicates removed: most of the saving, hopefully less of the loss.",
    }),
  ],
  stages: [
    { percent: 10, minDurationSec: 40, minSamples: 40 },
    { percent: 50, minDurationSec: 20, minSamples: 100 },
    { percent: 100, minDurationSec: 20, minSamples: 150 },
  ],
  scores: POLICY_SCORES,
  traffic: {
    requestsPerSecond: 25,
    stable: policyStable,
    // Shorter prompts: cheaper and faster; the answers as fluent, so ratings barely move, but
    // less grounded in the handbook. JSON as valid as before, give or take.
    canary: {
      ...policyStable,
      latency: { medianMs: 1_500, sigma: 0.35 },
      ratings: [0.05, 0.07, 0.17, 0.41, 0.3],
      tokens: { input: 1_400, output: 290, sigma: 0.3 },
      scores: scores({ mean: 0.76, sd: 0.12 }, 0.96),
    },
    inputs: [
      "How many days of parental leave do I get?",
      "Can I expense a hotel upgrade on a client trip?",
      "What is the daily meal allowance in Germany?",
      "Do I need approval before booking a flight over 6 hours?",
      "How do I carry over unused vacation days?",
      "Can I get a second monitor for working from home?",
      "What happens if I lose my company laptop?",
    ],
  },
};
