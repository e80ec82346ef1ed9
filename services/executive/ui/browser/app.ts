/**
 * The admin page's entry module. The page (/ui) is a static shell; this module asks for the
 * admin token, keeps it in sessionStorage, and builds every panel from the admin JSON API.
 * Written in TypeScript and compiled by the project's own `typescript` (see ../ui-assets.ts):
 * a few hundred lines of DOM code do not need a framework or a bundler.
 */
import type { Act } from './actions.ts';
import { ApiError, api, token } from './api.ts';
import { loadAll, type Loaded, type LoadedData } from './data.ts';
import { deadLettersPanel } from './dead-letters-panel.ts';
import { h } from './dom.ts';
import { fleetPanel } from './fleet-panel.ts';
import { limitsPanel } from './limits-panel.ts';
import { schemaPanel } from './schema-panel.ts';
import { snapshotsPanel } from './snapshots-panel.ts';
import { sourcesPanel } from './sources-panel.ts';
import { writersPanel } from './writers-panel.ts';

const byId = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element as T;
};

const PANELS = [
  ['fleet', 'Fleet status'],
  ['schema', 'Families and tables'],
  ['writers', 'Writers'],
  ['limits', 'Limits'],
  ['sources', 'Sources'],
  ['dead-letters', 'Dead letters'],
  ['snapshots', 'Snapshots'],
] as const;
type PanelId = (typeof PANELS)[number][0];

function say(message: string, isError = false): void {
  const status = byId('status');
  status.className = isError ? 'error' : 'ok';
  status.textContent = message;
}

function signedOut(message: string): void {
  token.clear();
  byId('app').hidden = true;
  byId('login').hidden = false;
  byId('login-error').textContent = message;
  byId<HTMLInputElement>('token').focus();
}

/** The panel's content, or its error in its place. */
function content<T>(loaded: Loaded<T>, render: (value: T) => Node[]): Node[] {
  if (loaded.ok) return render(loaded.value);
  return [h('p', { class: 'error', role: 'alert' }, `Could not load: ${loaded.error.message}`)];
}

function panelContent(id: PanelId, data: LoadedData, act: Act): Node[] {
  switch (id) {
    case 'fleet':
      return content(data.fleet, fleetPanel);
    case 'schema':
      return content(data.schema, schemaPanel);
    case 'writers':
      return content(data.writers, writersPanel);
    case 'limits':
      return content(data.usage, (usage) => limitsPanel(usage, act));
    case 'sources':
      return content(data.sources, (s) => sourcesPanel(s, data.fleet.ok ? data.fleet.value : null, act));
    case 'dead-letters':
      return content(data.deadLetters, (d) => deadLettersPanel(d, act));
    case 'snapshots':
      return content(data.fleet, snapshotsPanel);
  }
}

async function refresh(): Promise<void> {
  const data = await loadAll();
  const unauthorised = Object.values(data).find(
    (d: Loaded<unknown>) =>
      !d.ok && d.error instanceof ApiError && (d.error.status === 401 || d.error.status === 403),
  );
  if (unauthorised !== undefined && !unauthorised.ok) return signedOut(unauthorised.error.message);
  for (const [id] of PANELS) byId(`panel-${id}-body`).replaceChildren(...panelContent(id, data, act));
  byId('loaded-at').textContent = `Loaded ${new Date().toISOString()}`;
}

/** A selector for the focused control, to find it again once the panels are rebuilt. */
function focusedSelector(): string | null {
  const active = document.activeElement;
  if (!(active instanceof HTMLElement) || active === document.body) return null;
  if (active.id !== '') return `#${CSS.escape(active.id)}`;
  const label = active.getAttribute('aria-label');
  return label === null ? null : `[aria-label="${CSS.escape(label)}"]`;
}

/**
 * Runs an action, reloads the panels, then says how it went (so "Done" is only read once the
 * panels show the result) and gives the keyboard its place back: the same control when it still
 * exists, else the status line (a Pause button became Resume).
 */
const act: Act = async (description, work) => {
  const focused = focusedSelector();
  let outcome: { text: string; failed: boolean };
  try {
    await work();
    outcome = { text: `Done: ${description}.`, failed: false };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    outcome = { text: `Failed (${description}): ${why}`, failed: true };
  }
  await refresh();
  say(outcome.text, outcome.failed);
  const again = focused === null ? null : document.querySelector<HTMLElement>(focused);
  (again ?? byId('status')).focus();
};

function buildPanels(): void {
  const nav = byId('nav');
  const panels = byId('panels');
  for (const [id, title] of PANELS) {
    nav.append(h('a', { href: `#panel-${id}` }, title));
    panels.append(
      h(
        'section',
        { id: `panel-${id}`, class: 'panel', 'aria-labelledby': `panel-${id}-title` },
        h('h2', { id: `panel-${id}-title`, tabindex: '-1' }, title),
        h('div', { id: `panel-${id}-body` }, 'Loading…'),
      ),
    );
  }
}

async function signIn(value: string): Promise<void> {
  token.set(value);
  try {
    await api('GET', '/fleet');
  } catch (err) {
    return signedOut(err instanceof Error ? err.message : String(err));
  }
  byId('login').hidden = true;
  byId('app').hidden = false;
  await refresh();
  byId('panel-fleet-title').focus();
}

function start(): void {
  buildPanels();
  byId('login').addEventListener('submit', (event) => {
    event.preventDefault();
    void signIn(byId<HTMLInputElement>('token').value);
  });
  byId('refresh').addEventListener('click', () => void refresh());
  byId('logout').addEventListener('click', () => signedOut('Signed out.'));
  const saved = token.get();
  if (saved !== null) void signIn(saved);
  else byId<HTMLInputElement>('token').focus();
}

start();
