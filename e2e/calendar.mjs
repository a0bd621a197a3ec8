// The turn of the year in Chromium, against a demo whose clock is set to 28 December 2026 before
// 2027's calendar is imported (scripts/test.sh runs it under libfaketime, after
// scripts/provisional-year.py accepted CASE_ID): on a 390 × 844 phone in elder mode, in Chinese and
// in English, the officer sees the case's deadline in 2027 marked provisional, with why, on the
// case page and in the queue; the administrator is warned on her home page and sees 2027 as
// provisional on the calendar page. Full-size tap targets, no serious axe violation, no sideways
// scrolling. Screenshots under OUT_DIR.
import assert from 'node:assert/strict';
import { checkPage, launch, signIn } from './lib.mjs';

const base = process.env.BASE_URL;
const caseId = process.env.CASE_ID;
const out = process.env.OUT_DIR ?? 'target/e2e';
assert.ok(base, 'BASE_URL must point at a running qiaoyi demo');
assert.ok(caseId, 'CASE_ID must name a case accepted with a provisional deadline');

const browser = await launch();
try {
  const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const officer = await (await browser.newContext({ ...phone, locale: 'zh-CN' })).newPage();
  const errors = [];
  officer.on('pageerror', (e) => errors.push(e.message));
  await signIn(officer, base, 'officer@qiaoyi.example');

  await officer.goto(`${base}/cases/${caseId}?lang=zh-CN&elder=1`);
  const deadline = officer.locator('dt', { hasText: '办结时限' }).locator('xpath=..').locator('dd');
  assert.match(await deadline.innerText(), /2027-01-\d\d/);
  assert.ok(await deadline.locator('.tag.provisional', { hasText: '暂定' }).isVisible(), 'marked 暂定');
  assert.match(await deadline.innerText(), /尚未正式公布/, 'and says why');
  await checkPage(officer, out, 'calendar-case-elder-zh', true);

  await officer.goto(`${base}/cases/${caseId}?lang=en&elder=0`);
  assert.ok(await officer.locator('.tag.provisional', { hasText: 'provisional' }).first().isVisible());
  await checkPage(officer, out, 'calendar-case-en', false);

  await officer.goto(`${base}/cases?view=queue&lang=zh-CN&elder=1`);
  const row = officer.locator('tr', { has: officer.locator(`a[href="/cases/${caseId}"]`) });
  assert.ok(await row.locator('.tag.provisional').isVisible(), 'the queue marks it');
  await checkPage(officer, out, 'calendar-queue-elder-zh', true);

  const admin = await (await browser.newContext({ ...phone, locale: 'zh-CN' })).newPage();
  admin.on('pageerror', (e) => errors.push(e.message));
  await signIn(admin, base, 'admin@qiaoyi.example');
  await admin.goto(`${base}/account?lang=zh-CN&elder=1`);
  const warning = admin.locator('.notice.warn');
  assert.match(await warning.innerText(), /2027/);
  await checkPage(admin, out, 'calendar-admin-home-elder-zh', true);
  await warning.getByRole('link').click();
  await admin.waitForURL(/\/admin\/calendar/);
  const y2027 = admin.locator('tbody tr', { has: admin.locator('td', { hasText: /^2027$/ }) });
  assert.ok(await y2027.locator('.tag.provisional').isVisible(), '2027 is provisional');
  assert.equal(await admin.inputValue('#year'), '2027', 'the form offers the missing year');
  await checkPage(admin, out, 'calendar-admin-elder-zh', true);
  await admin.goto(`${base}/admin/calendar?lang=en&elder=0`);
  await checkPage(admin, out, 'calendar-admin-en', false);

  assert.deepEqual(errors, [], 'no script errors');
  console.log('calendar: provisional deadlines marked on phones in elder mode, zh and en');
} finally {
  await browser.close();
}
