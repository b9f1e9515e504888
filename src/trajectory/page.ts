// The job page: what the agent was asked, what it did step by step, the
// diff it made, the tests' verdict and what it cost. Server-rendered HTML,
// no script, one column on a phone; every piece of text escaped (html.ts).
import type { JobRecord, Usage } from "../shared/job.ts";
import { describeCall } from "../run/reporter.ts";
import type { Trajectory, TrajectoryEntry } from "../run/trajectory.ts";
import type { TestRun } from "../shared/evidence.ts";
import { html, join, type Html } from "./html.ts";
import { PAGE_CSS } from "./page-style.ts";
import { formatDuration } from "../shared/duration.ts";
import { roundLabel } from "./format.ts";

/** Lines of a tool result shown in its row before it is expanded. */
export const FIRST_LINES = 3;
/** Diff lines rendered; the rest is summarised (the export has all of it). */
const MAX_DIFF_LINES = 5_000;

export interface PageInput {
  trajectory: Trajectory;
  job?: JobRecord | undefined;
  /** Web origin of GitHub (https://github.com or the GHE host), for a link to the issue. */
  githubUrl?: string | undefined;
  /** Where the same trajectory downloads as JSON (a relative, signed URL). */
  exportHref?: string | undefined;
}

const GOOD = new Set(["pr_opened", "pr_updated", "plan_posted", "replied", "ok", "tests pass", "resolved"]);

export function renderJobPage(input: PageInput): string {
  const t = input.trajectory;
  const title = t.task.title || `job ${t.jobId.slice(0, 8)}`;
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">
<title>${title} · issuesmith</title>
<style>${{ html: PAGE_CSS }}</style></head>
<body><main>
<header>
<p class="crumb">issuesmith · job <code>${t.jobId.slice(0, 8)}</code>${input.job ? ` · ${input.job.kind} · ${input.job.state}` : ""}</p>
<h1>${title}</h1>
<p class="meta">${sourceLink(input)}${t.model ? ` · model ${t.model}` : ""}${t.startedAt ? ` · started ${t.startedAt.replace("T", " ").slice(0, 19)} UTC` : ""}</p>
${outcomeBlock(t, input.job)}
</header>
<section id="budget"><h2>Budget used</h2>${budget(t.usage)}</section>
<section id="task"><h2>Task</h2><div class="text">${t.task.body || "(no description)"}</div></section>
<section id="steps"><h2>Steps</h2>${steps(t)}</section>
<section id="diff"><h2>Final diff</h2>${diffBlock(t.diff)}</section>
<section id="tests"><h2>Tests</h2>${testsBlock(t.entries)}</section>
${input.exportHref ? html`<p class="meta"><a href="${input.exportHref}" download>Download this trajectory as JSON</a> (print it with <code>issuesmith show</code>)</p>` : ""}
</main></body></html>
`;
  return body.html;
}

function sourceLink(input: PageInput): Html | string {
  const job = input.job;
  const source = input.trajectory.task.source;
  if (job && input.githubUrl && /^[\w.-]+$/.test(job.target.owner) && /^[\w.-]+$/.test(job.target.repo)) {
    const href = `${input.githubUrl}/${job.target.owner}/${job.target.repo}/${job.target.isPullRequest ? "pull" : "issues"}/${job.target.number}`;
    return html`<a href="${href}">${source || href}</a>`;
  }
  return source;
}

function outcomeBlock(t: Trajectory, job: JobRecord | undefined): Html {
  if (!t.outcome) {
    const state = job?.state ?? "running";
    return html`<p class="outcome">Not finished yet (${state}${job?.phase ? `, ${job.phase}` : ""}). This page shows the steps stored so far; reload for more.</p>`;
  }
  const ok = GOOD.has(t.outcome.status);
  const pr = job?.outcome?.prUrl;
  return html`<p class="outcome ${ok ? "ok" : "bad"}"><strong>Outcome: ${t.outcome.status.replace(/_/g, " ")}</strong> — ${t.outcome.summary}${pr ? html` · <a href="${safeHref(pr)}">pull request</a>` : ""}</p>`;
}

function budget(usage: Usage | undefined): Html {
  if (!usage) return html`<p class="meta">No model call was recorded.</p>`;
  return html`<dl class="facts">
<dt>Steps</dt><dd>${usage.steps}</dd>
<dt>Tokens</dt><dd>${num(usage.inputTokens)} in · ${num(usage.outputTokens)} out</dd>
<dt>Cost</dt><dd>$${usage.costUsd.toFixed(usage.costUsd < 1 ? 4 : 2)}</dd>
<dt>Wall time</dt><dd>${formatDuration(usage.wallMs)}</dd>
</dl>`;
}

function steps(t: Trajectory): Html {
  if (t.entries.length === 0) return html`<p class="meta">No step was recorded.</p>`;
  const start = Date.parse(t.entries[0]!.at);
  return html`<ol class="steps">${t.entries.map((e) => entryRow(e, start))}</ol>`;
}

function entryRow(e: TrajectoryEntry, start: number): Html {
  const when = html`<span class="when">+${formatDuration(Math.max(0, Date.parse(e.at) - start))}</span>`;
  switch (e.type) {
    case "phase":
      return html`<li class="phase">${when} ▸ ${e.phase}${e.detail ? `: ${e.detail}` : ""}</li>`;
    case "model":
      return html`<li class="model"><div class="head"><span class="name">Step ${e.step}</span>${when}<span class="dur">${num(e.inputTokens)} → ${num(e.outputTokens)} tokens · ${formatDuration(e.latencyMs)}${e.costUsd > 0 ? ` · $${e.costUsd.toFixed(4)}` : ""}</span></div>${e.content.trim() ? html`<p class="say">${e.content.trim()}</p>` : ""}</li>`;
    case "tool": {
      const lines = e.output.split("\n");
      const first = lines.slice(0, FIRST_LINES).join("\n");
      return html`<li class="tool${e.isError ? " error" : ""}"><details><summary><span class="head"><span class="name">${e.name}</span><code class="args">${shortArgs(e.name, e.arguments)}</code><span class="dur">${formatDuration(e.durationMs)}${e.isError ? " · failed" : ""}</span></span><span class="first mono">${first}${lines.length > FIRST_LINES ? "\n…" : ""}</span></summary>
<p class="meta">Arguments</p><pre>${prettyJson(e.arguments)}</pre><p class="meta">Result (${lines.length} line${lines.length === 1 ? "" : "s"})</p><pre>${e.output}</pre></details></li>`;
    }
    case "malformed":
      return html`<li class="malformed">${when} <span class="fail">Step ${e.step}: the reply could not be used (${e.count})</span><div class="say">${e.message}</div></li>`;
    case "test":
      return html`<li class="test">${when} <span class="${e.run.passed ? "pass" : "fail"}">Tests ${e.run.passed ? "passed" : "failed"}</span> (${roundLabel(e.round)}) <code>${e.run.command}</code>${testDetails(e.run)}</li>`;
    case "outcome":
      return html`<li class="phase">${when} ▸ report: ${e.summary}</li>`;
    default:
      return html``;
  }
}

function testDetails(run: TestRun): Html {
  return html`<details><summary>exit ${run.exitCode ?? run.killed ?? "?"} · ${formatDuration(run.durationMs)}</summary><pre>${run.summary}</pre><pre>${run.outputTail}</pre></details>`;
}

function testsBlock(entries: TrajectoryEntry[]): Html {
  const runs = entries.filter((e) => e.type === "test");
  const last = runs.at(-1);
  if (!last) return html`<p class="meta">No test run was recorded.</p>`;
  const r = last.run;
  return html`<p><span class="${r.passed ? "pass" : "fail"}"><strong>${r.passed ? "Passed" : "Failed"}</strong></span> · <code>${r.command}</code> · exit ${r.exitCode ?? r.killed ?? "?"} · ${formatDuration(r.durationMs)}${runs.length > 1 ? ` · ${runs.length} runs` : ""}</p>
<pre>${r.summary}</pre><details><summary>Last lines of the output</summary><pre>${r.outputTail}</pre></details>`;
}

function diffBlock(diff: string | undefined): Html {
  if (!diff || !diff.trim()) return html`<p class="meta">No change was made.</p>`;
  const lines = diff.replace(/\n$/, "").split("\n");
  const shown = lines.slice(0, MAX_DIFF_LINES);
  const rows = shown.map((l) => {
    const cls = l.startsWith("diff --git")
      ? "file"
      : l.startsWith("@@")
        ? "hunk"
        : l.startsWith("+") && !l.startsWith("+++")
          ? "add"
          : l.startsWith("-") && !l.startsWith("---")
            ? "del"
            : "";
    return html`<span${cls ? { html: ` class="${cls}"` } : ""}>${l || " "}</span>`;
  });
  const more =
    lines.length > shown.length
      ? html`<p class="meta">${num(lines.length - shown.length)} more lines not shown.</p>`
      : "";
  return html`<pre class="diff">${join(rows)}</pre>${more}`;
}

function shortArgs(name: string, args: string): string {
  const line = describeCall(name, args);
  return line === name ? "" : line.slice(name.length + 1);
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Only http(s) links leave the page. */
function safeHref(url: string): string {
  return /^https?:\/\//i.test(url) ? url : "#";
}

function num(n: number): string {
  return n.toLocaleString("en-US");
}
