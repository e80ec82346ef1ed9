/**
 * Debian's chromium, headless, driven by puppeteer-core (no browser download): the binary is
 * CUTTLE_CHROMIUM when set, else `chromium` on the PATH (.ci/run installs it when missing).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/** Screenshots are kept here as the test's artefacts (gitignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../../.artifacts/ui/', import.meta.url));

export function chromiumPath(): string {
  const configured = process.env.CUTTLE_CHROMIUM;
  if (configured !== undefined && configured !== '') return configured;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium is not installed: apt-get install chromium (or set CUTTLE_CHROMIUM)');
  }
}

export async function launch(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    defaultViewport: { width: 1280, height: 800 },
    // Root in CI and here: chromium's sandbox needs an unprivileged user.
    args: ['--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/** The text of every body cell of every table in a panel, row by row. */
// Page-side code is sent as expressions: this project's Node code is compiled without DOM types.
export function panelRows(page: Page, panel: string): Promise<string[][]> {
  const selector = JSON.stringify(`#panel-${panel}-body table tbody tr`);
  return page.evaluate(
    `Array.from(document.querySelectorAll(${selector}), (row) => Array.from(row.querySelectorAll('td'), (cell) => cell.textContent))`,
  ) as Promise<string[][]>;
}

export const panelText = (page: Page, panel: string): Promise<string> =>
  page.evaluate(
    `document.getElementById(${JSON.stringify(`panel-${panel}-body`)})?.textContent ?? ''`,
  ) as Promise<string>;

/** Whether the focused element matches `selector`. */
export const focusMatches = (page: Page, selector: string): Promise<boolean> =>
  page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`) as Promise<boolean>;

/** Waits until the panel's text satisfies `ready` (panels reload after every action). */
export async function waitForPanel(
  page: Page,
  panel: string,
  ready: (text: string) => boolean,
): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const text = await panelText(page, panel).catch(() => '');
    if (ready(text)) return text;
    if (Date.now() > deadline)
      throw new Error(`panel ${panel} never got ready; it shows: ${text.slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Tabs from the top of the page until an element matching `selector` has the focus; the stops made. */
export async function tabTo(page: Page, selector: string, maxStops = 300): Promise<number> {
  await page.evaluate('document.activeElement?.blur()');
  for (let stop = 1; stop <= maxStops; stop++) {
    await page.keyboard.press('Tab');
    if (await focusMatches(page, selector)) return stop;
  }
  throw new Error(`Tab never reached ${selector} in ${maxStops} stops`);
}
