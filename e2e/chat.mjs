// A live consultation in Chromium: the applicant asks on one server node, the consultant answers
// from the inbox on another (BASE_URL_B; the same node when unset), and each sees the other's
// messages appear without reloading: over the websocket, and across nodes through PostgreSQL
// LISTEN/NOTIFY. Markup typed into a message stays text. Screenshots under OUT_DIR.
import assert from 'node:assert/strict';
import path from 'node:path';
import { launch, signIn } from './lib.mjs';

const baseA = process.env.BASE_URL;
const baseB = process.env.BASE_URL_B ?? baseA;
const out = process.env.OUT_DIR ?? 'target/e2e';
assert.ok(baseA, 'BASE_URL must point at a running qiaoyi demo');

const browser = await launch();
try {
  const applicantContext = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
  const consultantContext = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  const applicant = await applicantContext.newPage();
  const consultant = await consultantContext.newPage();
  const errors = [];
  for (const page of [applicant, consultant]) page.on('pageerror', (e) => errors.push(e.message));

  const subject = `罗马换护照 ${Date.now()}`;
  await signIn(applicant, baseA, 'applicant@qiaoyi.example');
  await applicant.goto(`${baseA}/consult?lang=zh-CN`);
  await applicant.fill('#subject', subject);
  await applicant.fill('#body', '我的护照四月到期，在罗马怎么办？');
  await applicant.click('form[action="/consult"] button[type=submit]');
  await applicant.waitForURL(/\/consultations\/q-/);
  await applicant.waitForSelector('[data-chat][data-connected]', { timeout: 10_000 });
  // Set on this page only: a reload would lose it.
  await applicant.evaluate(() => { window.notReloaded = true; });

  await signIn(consultant, baseB, 'consultant@qiaoyi.example');
  await consultant.goto(`${baseB}/consult/inbox?lang=en`);
  await consultant.getByRole('link', { name: subject }).click();
  await consultant.waitForSelector('[data-chat][data-connected]', { timeout: 10_000 });
  assert.match(await consultant.textContent('.messages'), /四月到期/);

  const answer = 'You can renew it at the Rome station; no need to travel home.';
  await consultant.fill('#body', answer);
  await consultant.click('form[data-chat-form] button[type=submit]');
  await applicant.waitForSelector(`.msg.consultant >> text=${answer}`, { timeout: 15_000 });
  assert.equal(await applicant.evaluate(() => window.notReloaded), true, 'the answer arrived without a reload');
  assert.equal(await consultant.inputValue('#body'), '', 'sent over the socket, the box is cleared');

  const markup = '<img src=x onerror="window.pwned=1"> 谢谢！';
  await applicant.fill('#body', markup);
  await applicant.click('form[data-chat-form] button[type=submit]');
  await consultant.waitForSelector('.msg.person >> text=谢谢！', { timeout: 15_000 });
  assert.equal(await consultant.locator('.messages img').count(), 0, 'markup in a message is text');
  assert.equal(await consultant.evaluate(() => window.pwned), undefined);
  assert.match(await consultant.textContent('.messages'), /<img src=x/);

  // A scan sent from the page's form reaches the consultant as a download link.
  await applicant.setInputFiles('#file', {
    name: 'passport-scan.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n'),
  });
  await applicant.click('form[enctype="multipart/form-data"] button[type=submit]');
  await applicant.waitForLoadState();
  await consultant.waitForSelector('.messages a[download] >> text=passport-scan.pdf', { timeout: 15_000 });
  const href = await consultant.getAttribute('.messages a[download]', 'href');
  const download = await consultant.request.get(new URL(href, baseB).href);
  assert.equal(download.status(), 200);
  assert.match(download.headers()['content-disposition'], /attachment/);

  await applicant.screenshot({ path: path.join(out, 'chat-applicant.png'), fullPage: true });
  await consultant.screenshot({ path: path.join(out, 'chat-consultant.png'), fullPage: true });
  assert.deepEqual(errors, [], 'no script errors');
  console.log(`chat: live both ways between ${baseA} and ${baseB}`);
} finally {
  await browser.close();
}
