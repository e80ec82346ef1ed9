/**
 * The admin page's only way to build HTML: elements from createElement, data as text nodes.
 * Family, table, field and writer names, dead-letter reasons and status records are user
 * input, so nothing here ever parses a string as HTML (no innerHTML), and attribute values are
 * set through setAttribute on attributes we name (never an event handler or a URL).
 */
export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** A table in a box that scrolls sideways on a narrow screen. */
export function table(caption: string, headers: readonly string[], rows: readonly Child[][]): HTMLElement {
  const head = h('tr', {}, ...headers.map((text) => h('th', { scope: 'col' }, text)));
  const body = rows.map((cells) => h('tr', {}, ...cells.map((cell) => h('td', {}, cell))));
  const empty = h('tr', {}, h('td', { colspan: String(headers.length), class: 'empty' }, 'none'));
  return h(
    'div',
    { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': caption },
    h(
      'table',
      {},
      h('caption', {}, caption),
      h('thead', {}, head),
      h('tbody', {}, ...(rows.length > 0 ? body : [empty])),
    ),
  );
}

export function button(
  label: string,
  onClick: () => void,
  attrs: Readonly<Record<string, string>> = {},
): HTMLButtonElement {
  const element = h('button', { type: 'button', ...attrs }, label);
  element.addEventListener('click', onClick);
  return element;
}

/** A labelled input (label and input tied by id). */
export function field(id: string, label: string, input: HTMLInputElement | HTMLSelectElement): HTMLElement {
  input.id = id;
  input.name = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}

export function ageText(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function bytesText(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export const orDash = (value: string | number | null | undefined): string =>
  value === null || value === undefined ? '–' : String(value);
