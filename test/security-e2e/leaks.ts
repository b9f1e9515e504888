// Where a secret could end up after a job, and a search of every one of
// those places for every secret the app holds. A hit names the secret and the
// place, so a failing test says where the leak is.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { TestApp } from "../support/app.ts";
import { MODEL_API_KEY, OWNER, REPO, WEBHOOK_SECRET } from "../support/app.ts";
import { appKeys } from "../support/keys.ts";

export interface Secret {
  name: string;
  value: string;
}

export interface Place {
  where: string;
  text: string;
}

/**
 * Every secret of the app in every form a leak could take: each installation
 * token whole, without its `ghs_` prefix (a shape no pattern catches) and as
 * the Basic credentials git sends; the webhook secret; the model key; the
 * private key and each line of its body.
 */
export async function appSecrets(app: TestApp, extra: Secret[] = []): Promise<Secret[]> {
  const secrets: Secret[] = [
    { name: "webhook secret", value: WEBHOOK_SECRET },
    { name: "model API key", value: MODEL_API_KEY },
    ...extra,
  ];
  for (const [i, token] of app.fake.tokens.entries()) {
    secrets.push({ name: `installation token #${i + 1}`, value: token });
    secrets.push({ name: `installation token #${i + 1} without its prefix`, value: token.replace(/^gh[a-z]_/, "") });
    secrets.push({
      name: `installation token #${i + 1} as Basic credentials`,
      value: Buffer.from(`x-access-token:${token}`).toString("base64"),
    });
  }
  const { privateKey } = await appKeys();
  secrets.push({ name: "private key", value: privateKey.trim() });
  for (const [i, line] of privateKey.split("\n").entries()) {
    if (line.length >= 40 && !line.startsWith("-----"))
      secrets.push({ name: `private key line ${i + 1}`, value: line });
  }
  return secrets;
}

/** Each secret found in each place, as "<secret> in <place>". */
export function findLeaks(places: Place[], secrets: Secret[]): string[] {
  const hits: string[] = [];
  for (const place of places) {
    for (const s of secrets) if (place.text.includes(s.value)) hits.push(`${s.name} in ${place.where}`);
  }
  return hits;
}

/** Every text the job left behind that others can read: logs, GitHub, git history, the model's requests, the fake's requests. */
export async function publicPlaces(app: TestApp): Promise<Place[]> {
  const places: Place[] = app.logs.map((line, i) => ({ where: `log line ${i + 1}`, text: line }));
  const s = app.fake.state;
  for (const c of s.issueComments) places.push({ where: `comment ${c.id} on #${c.issueNumber}`, text: c.body });
  for (const i of s.issues)
    places.push({
      where: `${i.isPullRequest ? "pull request" : "issue"} #${i.number} title and body`,
      text: `${i.title}\n${i.body ?? ""}`,
    });
  for (const r of s.reviews) places.push({ where: `review ${r.id}`, text: r.body });
  for (const c of s.reviewComments) places.push({ where: `review comment ${c.id}`, text: c.body });
  for (const c of s.checkRuns) places.push({ where: `check run ${c.id}`, text: JSON.stringify(c) });
  for (const l of s.labels) places.push({ where: `label ${l.name}`, text: `${l.name} ${l.description ?? ""}` });
  places.push({
    where: "commits on every branch (git log --all -p)",
    text: await app.fake.git(OWNER, REPO, ["log", "--all", "-p", "--format=%H%n%an <%ae>%n%B"]),
  });
  places.push({
    where: "branch names",
    text: await app.fake.git(OWNER, REPO, ["for-each-ref", "--format=%(refname)"]),
  });
  for (const [i, r] of app.model.requests.entries()) {
    // The Authorization header is where the model key belongs: everything else of the request may not hold it.
    places.push({
      where: `model request #${i + 1} (${r.method} ${r.path})`,
      text: `${r.path}\n${JSON.stringify(r.body ?? null)}`,
    });
  }
  for (const [i, r] of app.fake.requests.entries()) {
    const { authorization: _auth, ...headers } = r.headers;
    places.push({
      where: `request #${i + 1} to GitHub (${r.method} ${r.path.split("?")[0]})`,
      text: `${r.path}\n${JSON.stringify(headers)}\n${r.body}`,
    });
  }
  const jobs = await app.runtime.queue.list({ limit: 1000 });
  places.push({ where: "job records", text: JSON.stringify(jobs) });
  return places;
}

/** The text files under `dir` (a job's workspace, while it exists), each as a place. */
export async function filesUnder(dir: string, label: string, maxBytes = 1 << 20): Promise<Place[]> {
  const places: Place[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const text = await readFile(p).then(
          (b) => (b.length <= maxBytes ? b.toString("latin1") : ""),
          () => "",
        );
        places.push({ where: `${label}/${path.relative(dir, p)}`, text });
      }
    }
  };
  await walk(dir);
  return places;
}
