/**
 * Issue 16, item 4: the admin page in a real browser (Debian's chromium through puppeteer-core)
 * against a real executive on MariaDB and Redis. It signs in through the page, reads every
 * panel against the API's JSON, changes a limit through the form and sees `cuttle limits show`
 * agree, retries a dead letter and sees the request recorded in the queue, pauses and resumes a
 * source, checks that no injected markup ran and that the keyboard reaches every action, and
 * saves screenshots at 1280×800 and 390×844 under .artifacts/ui/.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/program.ts';
import type { StoredLetter } from '../../../lib/dead-letters/dead-letter.ts';
import type { TableSchema } from '../../../lib/schema/types.ts';
import type { Fleet } from '../../../lib/status/fleet.ts';
import type { SourceListing } from '../../../services/executive/admin/sources-admin.ts';
import type { LimitsUsage } from '../../../services/executive/limits/usage.ts';
import type { WriterListing } from '../../../services/executive/writers/writer-store.ts';
import { ARTIFACTS, focusMatches, launch, panelRows, panelText, tabTo, waitForPanel } from './browser.ts';
import {
  FAMILY,
  FIELDS,
  HOSTILE,
  LETTER_ID,
  SOURCE,
  WRITER,
  startUiFixture,
  type UiFixture,
} from './ui-fixture.ts';

let fx: UiFixture;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  fx = await startUiFixture();
  browser = await launch();
  page = await browser.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

describe('the admin page', () => {
  it('serves a static shell with a strict content security policy', async () => {
    const r = await fetch(new URL('/ui', fx.ex.url));
    const html = await r.text();
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(r.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(html).not.toContain(FAMILY);
    expect(html).not.toMatch(/<script>(?!<)/);
  });

  it('refuses a wrong token and signs in with the admin token', async () => {
    await page.goto(new URL('/ui', fx.ex.url).href);
    await page.type('#token', 'not-the-token');
    await page.keyboard.press('Enter');
    await page.waitForFunction('document.getElementById("login-error").textContent.includes("wrong")');
    await page.$eval('#token', (input) => ((input as unknown as { value: string }).value = ''));
    await page.type('#token', fx.ex.adminToken);
    await page.keyboard.press('Enter');
    await waitForPanel(page, 'fleet', (t) => t.includes('Fleet:'));
    expect(await focusMatches(page, '#panel-fleet-title')).toBe(true);
  });

  it('shows every panel as the API has it, with user text rendered literally', async () => {
    const fleet = await fx.get<Fleet>('/fleet');
    const fleetText = await panelText(page, 'fleet');
    expect(fleetText).toContain(`Fleet: ${fleet.summary.status}`);
    for (const reason of fleet.summary.reasons) expect(fleetText).toContain(reason);
    const fleetRows = await panelRows(page, 'fleet');
    for (const p of fleet.processes)
      expect(
        fleetRows.some((row) => row[0] === p.record.id && row[2] === p.state && row[1] === p.record.host),
      ).toBe(true);
    expect(fleetRows.some((row) => row[1] === HOSTILE)).toBe(true);

    const schema = await fx.get<{ families: { family: string; tables: TableSchema[] }[] }>('/schema');
    const schemaRows = await panelRows(page, 'schema');
    for (const f of schema.families)
      for (const t of f.tables) {
        const row = schemaRows.find((r) => r[0] === f.family && r[1] === t.table);
        for (const field of t.fields) expect(row?.[2]).toContain(field.name);
      }
    expect(schemaRows.find((r) => r[0] === FAMILY)?.[2]).toContain(FIELDS[1][0]);

    const writers = await fx.get<{ writers: WriterListing[] }>('/writers');
    expect((await panelRows(page, 'writers')).map((r) => r[0])).toEqual(writers.writers.map((w) => w.name));

    const usage = await fx.get<LimitsUsage>('/limits/usage');
    const limitRows = await panelRows(page, 'limits');
    for (const w of usage.writers) expect(limitRows.some((r) => r[0] === w.writer)).toBe(true);
    for (const t of usage.tables) expect(limitRows.some((r) => r[0] === `${t.family}.${t.table}`)).toBe(true);

    const sources = await fx.get<{ sources: SourceListing[] }>('/sources');
    const sourceRows = await panelRows(page, 'sources');
    expect(sourceRows.map((r) => [r[0], r[1], r[2]])).toEqual(
      sources.sources.map((s) => [s.name, s.state, s.connectorName]),
    );
    // Lag as the loader's status record has it: 17 + 5 events over two partitions.
    expect(sourceRows[0]?.slice(4, 6)).toEqual(['2', '22']);

    const letters = await fx.get<{ letters: StoredLetter[] }>('/dead-letters');
    const letterRows = await panelRows(page, 'dead-letters');
    expect(letterRows.map((r) => [r[0], r[4]])).toEqual(letters.letters.map((l) => [l.id, l.reason]));
    expect(letterRows[0]?.[4]).toBe(HOSTILE);

    const snapshotRows = await panelRows(page, 'snapshots');
    const supervisors = fleet.processes.flatMap((p) => (p.record.role === 'supervisor' ? [p.record] : []));
    expect(snapshotRows.map((r) => [r[0], r[2]])).toEqual(
      supervisors.map((r) => [r.id, String(r.figures.snapshotSeq)]),
    );
  });

  it('never runs the markup it shows', async () => {
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.evaluate('document.querySelectorAll("#panels img, #panels script").length')).toBe(0);
  });

  it('changes a limit through the form, and `cuttle limits show` agrees', async () => {
    await page.select('#limit-target', `writer:${WRITER}`);
    await page.type('#limit-amount', '7');
    await page.$eval('#limit-period', (input) => ((input as unknown as { value: string }).value = ''));
    await page.type('#limit-period', '1000');
    await page.click('#limit-form button[type=submit]');
    await page.waitForFunction(
      `document.getElementById('status').textContent.includes('Done: limit of writer')`,
    );
    const out: string[] = [];
    const args = [
      '--executive',
      fx.ex.url,
      '--admin-token',
      fx.ex.adminToken,
      '--json',
      'limits',
      'show',
      'writer',
      WRITER,
    ];
    expect(await runCli(args, { out: (s) => out.push(s), err: (s) => out.push(s) })).toBe(0);
    const shown = JSON.parse(out.join('\n')) as {
      writer: string;
      overridden: boolean;
      rate: { perSecond: number };
    };
    expect([shown.writer, shown.overridden, shown.rate.perSecond]).toEqual([WRITER, true, 7]);
    const row = (await panelRows(page, 'limits')).find((r) => r[0] === WRITER);
    expect(row?.[1]).toContain(`${shown.rate.perSecond}/s`);
  });

  it('retries a dead letter: the request is recorded in the queue for the loaders', async () => {
    expect((await fx.deadLetters.get(LETTER_ID))?.request).toBe('none');
    await page.click(`button[aria-label="Retry dead letter ${LETTER_ID}"]`);
    await waitForPanel(page, 'dead-letters', (t) => t.includes('retry'));
    expect((await fx.deadLetters.get(LETTER_ID))?.request).toBe('retry');
  });

  it('pauses a source row by mouse and resumes it by keyboard, the focus kept on the page', async () => {
    const state = async () => (await fx.get<{ sources: SourceListing[] }>('/sources')).sources[0]?.state;
    await page.click(`button[aria-label="Pause ${SOURCE}"]`);
    await page.waitForSelector(`button[aria-label="Resume ${SOURCE}"]`);
    expect(await state()).toBe('paused');
    await tabTo(page, `button[aria-label="Resume ${SOURCE}"]`);
    await page.keyboard.press('Enter');
    // The button became "Pause": the focus goes to the status line that says what happened.
    await page.waitForFunction('document.activeElement?.id === "status"');
    const said = await page.evaluate('document.getElementById("status").textContent');
    expect(said).toBe(`Done: source ${SOURCE} active.`);
    expect(await state()).toBe('active');
  });

  it('lets the keyboard reach every action, with a visible focus', async () => {
    for (const selector of [
      '#refresh',
      '#limit-target',
      '#limit-form button[type=submit]',
      `button[aria-label="Pause ${SOURCE}"]`,
      `button[aria-label="Drop dead letter ${LETTER_ID}"]`,
    ]) {
      await tabTo(page, selector);
      expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).not.toBe('none');
    }
  });

  it('reads at 1280×800 and at phone width, saving screenshots', async () => {
    await page.screenshot({ path: join(ARTIFACTS, 'admin-1280x800.png'), fullPage: true });
    await page.setViewport({ width: 390, height: 844, isMobile: true });
    await waitForPanel(page, 'fleet', (t) => t.includes('Fleet:'));
    // The page never scrolls sideways: wide tables scroll inside their own box.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-390x844.png'), fullPage: true });
    await page.evaluate('document.getElementById("panel-sources").scrollIntoView()');
    await page.screenshot({ path: join(ARTIFACTS, 'admin-390x844-sources.png') });
  });
});
