// Every screen of the console, as the navigation bar lists them (the bar derives from the screen
// table, renderer/src/app/screens.tsx, so a new screen is visited without touching this file), for
// the layout, DOM-scan and accessibility suites and the screenshot script (scripts/screenshots.ts).
import type { Page } from 'playwright-core';
import { waitFor } from './harness.js';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Screens' });

/** The labels of the screens the signed-in user is offered, in navigation order. */
export async function screenLabels(page: Page): Promise<string[]> {
  await nav(page).getByRole('button').first().waitFor();
  return (await nav(page).getByRole('button').allTextContents()).map((t) => t.trim());
}

/**
 * Open a screen from the navigation bar and wait until it has settled: its title shows, and the
 * text of the screen stops changing between two looks 400 ms apart (lists loaded), bounded: a
 * screen with live values never stops changing, so after `settleMs` it is taken as it is.
 */
export async function openScreen(page: Page, label: string, settleMs = 6_000): Promise<void> {
  await nav(page).getByRole('button', { name: label, exact: true }).click();
  await page.locator('h1.screen-title', { hasText: label }).waitFor({ timeout: 15_000 });
  await settle(page, settleMs);
}

/** Wait until main's text (live numbers aside) is the same twice in a row, at most `ms`. */
export async function settle(page: Page, ms = 6_000): Promise<void> {
  let last = '';
  await waitFor(
    'the screen to settle',
    async () => {
      const text = (await page.locator('main').innerText()).replace(/[\d.,:-]+/g, '#');
      const loading = /loading…|Loading/.test(text);
      const same = text === last && !loading;
      last = text;
      return same ? true : undefined;
    },
    ms,
    400,
  ).catch(() => undefined);
}

/** Until the overview shows live values (the plant's connections are up). */
export async function waitForLiveValues(page: Page, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    'live values on the overview',
    async () => {
      const texts = await page.locator('.live-value .num').allTextContents();
      return texts.length > 0 && texts.filter((t) => t !== '—').length >= texts.length / 2 ? true : undefined;
    },
    timeoutMs,
  );
}
