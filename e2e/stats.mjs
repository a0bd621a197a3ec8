// The statistics dashboard in Chromium: on a phone the charts are drawn (SVG bars of non-zero size)
// and the page does not scroll sideways; printed, the filters and navigation go and the figures and
// charts stay; the Excel export downloads as a workbook; the station filter narrows the figures.
// Screenshots under OUT_DIR.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launch, signIn } from './lib.mjs';

const base = process.env.BASE_URL;
const out = process.env.OUT_DIR ?? 'target/e2e';
assert.ok(base, 'BASE_URL must point at a running qiaoyi demo');

const browser = await launch();
try {
  const context = await browser.newContext({
    locale: 'en-GB', viewport: { width: 390, height: 844 }, acceptDownloads: true,
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, base, 'auditor@qiaoyi.example');
  await page.goto(`${base}/account?lang=en`);
  await page.getByRole('link', { name: 'Statistics' }).click();
  await page.waitForURL(/\/stats/);

  const handled = Number((await page.textContent('#total-handled')).trim());
  assert.ok(handled > 0, `the demo's closed cases are counted (${handled})`);
  const bars = await page.$$eval('figure.chart rect', (rs) =>
    rs.map((r) => r.getBoundingClientRect()).filter((b) => b.width > 0 && b.height > 0).length);
  assert.ok(bars > 0, 'the charts draw bars');
  const overflow = await page.evaluate(() =>
    document.scrollingElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page scrolls sideways on a phone by ${overflow}px`);
  await page.screenshot({ path: path.join(out, 'stats-phone-en.png'), fullPage: true });

  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.$eval('form.filters', (f) => getComputedStyle(f).display), 'none');
  assert.notEqual(await page.$eval('figure.chart', (f) => getComputedStyle(f).display), 'none');
  await page.screenshot({ path: path.join(out, 'stats-print-en.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Excel workbook (every table)' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^qiaoyi-stats-\d{4}-\d{2}-\d{4}-\d{2}\.xlsx$/);
  const file = await download.path();
  assert.equal(readFileSync(file).subarray(0, 2).toString(), 'PK', 'an xlsx workbook is a zip');

  await page.selectOption('#station', 'IT-ROM');
  await page.click('form.filters button[type=submit]');
  await page.waitForURL(/station=IT-ROM/);
  const narrowed = Number((await page.textContent('#total-handled')).trim());
  assert.ok(narrowed > 0 && narrowed < handled, `Rome's share (${narrowed}) is part of ${handled}`);
  assert.equal(await page.textContent('#total-consultations'), '—', 'consultations have no station');

  await page.goto(`${base}/stats?lang=zh-CN`);
  await page.screenshot({ path: path.join(out, 'stats-phone-zh.png'), fullPage: true });
  assert.deepEqual(errors, [], 'no script errors');
  console.log(`stats: ${handled} cases handled, ${bars} bars, Rome ${narrowed}; workbook downloaded`);
} finally {
  await browser.close();
}
