/**
 * axe-core on every page the demo serves — home, a document with a collaborator in it, its
 * History panel and Markdown preview, the embedding example, a view-only link and a refused
 * link — in light and dark
 * and at desktop and phone sizes: no serious or critical violation, and nothing wider than the
 * window (no sideways scrolling). A screenshot of each lands in test-results/screenshots/.
 * One server (with a secret, so view-only and refused links exist), one browser context per
 * size; each page is opened once and checked in both themes (it follows the system's setting
 * live, which the look-and-feel spec checks on its own).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import { signToken } from '@quire/server';
import { startPeer } from '../src/peer.js';
import { expect, saveScreenshot, statusOf, test } from '../src/fixtures.js';

test.describe.configure({ timeout: 120_000 });

const SECRET = 'e2e-secret-that-is-long-enough-0123456789';
test.use({ serverArgs: ['--secret', SECRET] });

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

const SIZES = [
  { name: 'desktop', viewport: { width: 1100, height: 700 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;
const SCHEMES = ['light', 'dark'] as const;

const DOC = 'a11y/notes';
const TEXT =
  '# Launch notes\n\nWe ship on **Monday**. See [the plan](https://example.com/plan).\n\n' +
  '- Alice writes the notes\n- Sam reviews `README.md`\n\n> Nothing is final yet.\n';

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ content: axeSource });
  }
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(o: object): Promise<unknown> } }).axe;
    const result = (await axe.run({
      resultTypes: ['violations'],
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    })) as {
      violations: AxeViolation[];
    };
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`,
    );
}

const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test('every page, light and dark, desktop and phone: no serious or critical axe violations, nothing overflows', async ({
  browser,
  server,
}) => {
  // Signed here rather than by the CLI (tokens.spec.ts covers that): three node starts saved.
  const [rw, ro, embedToken] = await Promise.all([
    signToken({ secret: SECRET, doc: DOC, mode: 'rw' }),
    signToken({ secret: SECRET, doc: DOC, mode: 'ro' }),
    signToken({ secret: SECRET, doc: 'embed-demo', mode: 'rw' }),
  ]);
  const sam = await startPeer(server.url, DOC, { name: 'Sam', color: '#0550ae' }, rw);
  sam.text.insert(0, TEXT);
  sam.moveTo(TEXT.indexOf('Monday'), TEXT.indexOf('ship'));
  // A named version, so the History panel has a list and a diff to check.
  await expect
    .poll(async () => {
      const response = await fetch(`${server.url}/api/docs/${DOC}/versions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${rw}`, 'content-type': 'application/json' },
        body: JSON.stringify({ label: 'First draft' }),
      });
      return response.status;
    })
    .toBe(201);
  sam.text.insert(TEXT.length, '\nA line added after the draft.\n');

  const pages: { name: string; open(page: Page): Promise<void> }[] = [
    {
      name: 'home',
      async open(page) {
        await page.goto(`${server.url}/`);
        await expect(page.locator('.demo-help[role="status"]')).not.toHaveText(/Loading/);
      },
    },
    {
      name: 'document',
      async open(page) {
        await page.goto(`${server.url}/d/${DOC}?token=${rw}`);
        await expect(statusOf(page)).toHaveAttribute('data-status', /online|saved/);
        await expect(page.locator('.quire-presence li')).toHaveCount(2);
      },
    },
    {
      name: 'history',
      async open(page) {
        // On the document page just opened.
        await page.getByRole('button', { name: 'History', exact: true }).click();
        await expect(page.locator('.quire-history')).toBeVisible();
        await expect(page.getByRole('option', { name: /First draft/ })).toBeVisible();
        await expect(page.locator('.quire-history-diff .cm-changedText').first()).toBeVisible();
      },
    },
    {
      name: 'preview',
      async open(page) {
        // The Markdown preview beside the text, after History is closed.
        await page.getByRole('button', { name: 'Close version history' }).click();
        await page.getByRole('button', { name: 'Preview', exact: true }).click();
        await expect(page.locator('.quire-md-preview h1')).toHaveText('Launch notes');
      },
    },
    {
      name: 'embed',
      async open(page) {
        await page.goto(`${server.url}/embed.html`);
        // As an embedding site with auth on writes it: each element carries its token.
        await page.evaluate((token) => {
          document.querySelectorAll('quire-editor').forEach((e) => e.setAttribute('token', token));
        }, embedToken);
        for (const id of ['#left', '#right']) {
          await expect(page.locator(`${id} .quire-status`)).toHaveAttribute(
            'data-status',
            /online|saved/,
          );
        }
      },
    },
    {
      name: 'view-only',
      async open(page) {
        await page.goto(`${server.url}/d/${DOC}?token=${ro}`);
        await expect(page.locator('.quire-readonly')).toBeVisible();
        await expect(statusOf(page)).toHaveAttribute('data-status', 'online');
      },
    },
    {
      name: 'denied',
      async open(page) {
        await page.goto(`${server.url}/d/${DOC}?token=not-a-valid-token`);
        await expect(statusOf(page)).toHaveAttribute('data-status', 'denied');
      },
    },
  ];

  const problems: string[] = [];
  try {
    for (const size of SIZES) {
      const context = await browser.newContext({ viewport: size.viewport });
      await context.addInitScript(() => {
        if (localStorage.getItem('quire:identity') === null) {
          localStorage.setItem('quire:identity', '{"name":"Alice","color":"#d1242f"}');
        }
      });
      const page = await context.newPage();
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      for (const target of pages) {
        await page.emulateMedia({ colorScheme: SCHEMES[0] });
        await target.open(page);
        // Both themes on the page as opened: it follows the system's setting live.
        for (const scheme of SCHEMES) {
          const where = `${target.name} · ${scheme} · ${size.name}`;
          await page.emulateMedia({ colorScheme: scheme });
          await expect(page.locator(`.quire:not([data-theme="${scheme}"])`)).toHaveCount(0);
          for (const violation of await seriousViolations(page)) {
            problems.push(`${where}: ${violation}`);
          }
          const wider = await overflow(page);
          if (wider > 0) problems.push(`${where}: the page is ${wider}px wider than the window`);
          await saveScreenshot(page, `a11y-${target.name}-${scheme}-${size.name}`);
        }
      }
      await context.close();
    }
  } finally {
    sam.destroy();
  }
  expect(problems).toEqual([]);
});
