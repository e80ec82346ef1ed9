/**
 * The admin page's static shell and style sheet. The shell holds no data at all: it loads
 * app.js, which asks for the admin token and fetches everything through the JSON API. Kept as
 * strings in a module so the build (tsc) carries them into dist/ with no copy step.
 */
export const SHELL_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cuttle admin</title>
<link rel="stylesheet" href="/ui/assets/app.css">
<script type="module" src="/ui/assets/app.js"></script>
</head>
<body>
<header>
<h1>cuttle admin</h1>
</header>
<main>
<form id="login" aria-labelledby="login-title">
<h2 id="login-title">Sign in</h2>
<div class="field"><label for="token">Admin token (EXECUTIVE_ADMIN_TOKEN)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required></div>
<button type="submit">Sign in</button>
<p id="login-error" class="error" role="alert"></p>
<p class="note">The token stays in this tab (sessionStorage) and is sent only to this executive.</p>
</form>
<div id="app" hidden>
<nav id="nav" aria-label="Panels"></nav>
<div class="toolbar">
<button type="button" id="refresh">Refresh</button>
<button type="button" id="logout">Sign out</button>
<span id="loaded-at"></span>
</div>
<p id="status" role="status" aria-live="polite" tabindex="-1"></p>
<div id="panels"></div>
</div>
</main>
<noscript>The admin page needs JavaScript (ES modules).</noscript>
</body>
</html>
`;

export const STYLE_CSS = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad;
  --bad: #a40e26; --warn: #8a5a00; --good: #116329; font: 15px/1.45 system-ui, sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; }
header { padding: .5rem 1rem; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.25rem; margin: 0; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
main { padding: 0 1rem 2rem; max-width: 1400px; }
nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; padding: .75rem 0; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
button { font: inherit; padding: .3rem .8rem; border: 1px solid var(--accent); border-radius: 4px;
  background: #fff; color: var(--accent); cursor: pointer; margin: .1rem .25rem .1rem 0; white-space: nowrap; }
button[type=submit] { background: var(--accent); color: #fff; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; }
.field { display: flex; flex-direction: column; margin: .5rem 0; max-width: 28rem; }
label { font-weight: 600; margin-bottom: .2rem; }
input, select { font: inherit; padding: .3rem; border: 1px solid var(--muted); border-radius: 4px; max-width: 100%; }
#limit-form { border: 1px solid var(--line); border-radius: 6px; padding: .5rem 1rem; margin-top: 1rem; }
.scroll { overflow-x: auto; margin: .5rem 0; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
caption { text-align: left; font-weight: 600; padding: .4rem .6rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-top: 1px solid var(--line);
  overflow-wrap: anywhere; min-width: 5rem; }
th { background: #f6f8fa; white-space: nowrap; }
td.empty { color: var(--muted); }
ul.fields, ul.reasons { margin: 0; padding-left: 1.1rem; }
.summary.healthy strong { color: var(--good); }
.summary.degraded strong { color: var(--warn); }
.summary.failing strong, .error { color: var(--bad); }
.ok { color: var(--good); }
.note { color: var(--muted); font-size: .9rem; }
.actions { white-space: nowrap; }
@media (max-width: 600px) {
  main { padding: 0 .5rem 2rem; }
  th, td { padding: .3rem .4rem; max-width: 15rem; }
  /* Tables keep readable columns and scroll inside their box instead of squeezing. */
  table { width: max-content; min-width: 100%; }
  .field { max-width: none; }
}
`;
