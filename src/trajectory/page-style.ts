// The job page's stylesheet: inline (no asset route, no build), small, and
// readable on a phone: one column, wrapped text, code that scrolls sideways.
export const PAGE_CSS = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #fff; --line: #d1d9e0; --soft: #f6f8fa;
  --ok: #1a7f37; --bad: #cf222e; --add: #dafbe1; --del: #ffebe9; --hunk: #ddf4ff; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --line: #3d444d; --soft: #151b23;
  --ok: #3fb950; --bad: #f85149; --add: #12261e; --del: #25171c; --hunk: #121d2f; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 64rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.4rem; margin: .2rem 0 .4rem; overflow-wrap: anywhere; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; padding-bottom: .2rem; border-bottom: 1px solid var(--line); }
a { color: inherit; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
pre { margin: .3rem 0; padding: .5rem; background: var(--soft); border-radius: 6px; overflow-x: auto; white-space: pre; }
.crumb, .meta, .when, .dur { color: var(--muted); font-size: .85rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.outcome { padding: .5rem .75rem; border-radius: 6px; border-left: 4px solid var(--muted); background: var(--soft); overflow-wrap: anywhere; }
.outcome.ok { border-color: var(--ok); } .outcome.bad { border-color: var(--bad); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
ol.steps { list-style: none; padding: 0; margin: 0; }
ol.steps > li { border-top: 1px solid var(--line); padding: .4rem 0; }
.phase { color: var(--muted); font-size: .9rem; }
.head { display: flex; flex-wrap: wrap; gap: .2rem .6rem; align-items: baseline; }
.name { font-weight: 600; }
.args { overflow-wrap: anywhere; }
.first { display: block; white-space: pre-wrap; overflow-wrap: anywhere; color: var(--muted); margin: .2rem 0 0 1rem; max-height: 6.5em; overflow: hidden; }
details > summary { cursor: pointer; }
summary > .head { display: inline-flex; }
.tool.error .name, .fail { color: var(--bad); } .pass { color: var(--ok); }
.say { white-space: pre-wrap; overflow-wrap: anywhere; margin: .2rem 0 0; }
pre.diff { padding: 0; } pre.diff span { display: block; padding: 0 .5rem; }
pre.diff .add { background: var(--add); } pre.diff .del { background: var(--del); } pre.diff .hunk { background: var(--hunk); color: var(--muted); }
pre.diff .file { font-weight: 600; border-top: 1px solid var(--line); }
`;
