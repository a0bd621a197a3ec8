// A case from application to closed through the pages, in Chromium: the applicant applies for a
// passport renewal, checks her answers, uploads the materials and sends it; the officer accepts it,
// returns it for a material with a reason; she sees the reason, adds the file and sends it again;
// her identity is confirmed by video (the officer publishes a time, she books it from her case and
// adds herself with her passport, the officer records the passport matched), and the officer takes
// it through review, approval, production, dispatch and delivery to closed.
// Then her mother's renewal goes by home delivery, and her mother signs for it on the officer's
// signature pad (drawn with the mouse) instead of showing a code.
// The applicant is far away: her browser runs with Chromium's network emulation at 300 ms round
// trip and 1.6 Mbit/s, and the time to a usable page (DOMContentLoaded) of each step is reported.
// Screenshots of each stage go to target/e2e/cases/.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, launch, publishSoon, signIn as signInOn } from './lib.mjs';

const base = process.env.BASE_URL;
const out = path.join(process.env.OUT_DIR ?? 'target/e2e', 'cases');
if (!base) throw new Error('BASE_URL must point at a running qiaoyi demo');
mkdirSync(out, { recursive: true });

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

const browser = await launch();

async function signIn(email) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signInOn(page, base, email);
  return page;
}

/** Clicks the button of one workflow step on the case page and waits for the page again. */
async function step(page, name, reason, fields = {}) {
  const form = page.locator(`form:has(input[name=step][value=${name}])`);
  expect(await form.count() === 1, `no "${name}" step offered at ${page.url()}`);
  if (reason) await form.locator('textarea').fill(reason);
  for (const [field, value] of Object.entries(fields)) await form.locator(`[name=${field}]`).fill(value);
  await form.locator('button[type=submit]').click();
  await page.waitForLoadState();
  const summary = await page.locator('#error-summary').count();
  expect(summary === 0, `"${name}" was refused: ${summary && await page.locator('#error-summary').innerText()}`);
}

/** Uploads the PDF for every material the page offers an upload for. */
async function uploadAll(page) {
  const count = await page.locator('input[type=file]').count();
  expect(count > 0, 'the case offers no upload');
  for (let i = 0; i < count; i++) {
    const form = page.locator('form.upload').nth(i);
    await form.locator('input[type=file]').setInputFiles({ name: '护照.pdf', mimeType: 'application/pdf', buffer: PDF });
    await form.locator('button[type=submit]').click();
    await page.waitForLoadState();
  }
}

async function state(page) {
  return (await page.locator('.facts dd strong').first().innerText()).trim();
}

/**
 * The video identity check through the pages: the officer publishes a time a minute or two ahead,
 * the applicant books it from the case page and adds the person on file with her passport, and
 * the officer records her identity confirmed on the case page.
 */
async function videoCheck(officer, applicant, url, name, passport) {
  const [day, time] = await publishSoon(officer, base);
  await applicant.goto(url);
  const choice = applicant.locator('form[action$="/video"] label.choice', { hasText: `${day} ${time} CST` });
  expect(await choice.count() === 1, `the case offers the new time ${day} ${time}`);
  await choice.locator('input').check();
  await applicant.locator('form[action$="/video"] button[type=submit]').click();
  await applicant.waitForLoadState();
  expect((await applicant.content()).includes(`${day} ${time} CST`), 'the booking shows Beijing time');
  const add = applicant.locator('form[action$="/video/participants"]');
  await add.locator('[name=name]').fill(name);
  await add.locator('[name=document_number]').fill(passport);
  await add.locator('button[type=submit]').click();
  await applicant.waitForLoadState();
  expect(await applicant.locator('#participants .participant', { hasText: name }).count() === 1, `${name} takes part`);
  await officer.goto(url);
  const record = officer.locator('#participants form[action$="/record"]');
  expect(await record.count() === 1, 'the officer may record the participant');
  await record.locator('[name=verdict]').selectOption('confirmed');
  await record.locator('[name=document_number]').fill(passport);
  await record.locator('button[type=submit]').click();
  await officer.waitForLoadState();
  const summary = await officer.locator('#error-summary').count();
  expect(summary === 0, `recording was refused: ${summary && await officer.locator('#error-summary').innerText()}`);
  expect((await officer.locator('#participants').innerText()).includes('Identity confirmed'), 'the record shows');
}

const applicant = await signIn('applicant@qiaoyi.example');
const far = await applicant.context().newCDPSession(applicant);
await far.send('Network.enable');
await far.send('Network.emulateNetworkConditions', {
  offline: false, latency: 300, downloadThroughput: 1_600_000 / 8, uploadThroughput: 1_600_000 / 8,
});
const timings = [];
/** Records how long the page the applicant is on took to become usable. */
async function usable(label) {
  const ms = await applicant.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    return Math.round(n.domContentLoadedEventEnd - n.startTime);
  });
  timings.push([label, ms]);
}
await applicant.goto(`${base}/items/EE-02?lang=en`);
await usable('item page');
await applicant.click('a[href="/apply/EE-02"]');
await applicant.waitForLoadState();
await usable('apply: who is it for');
// She applies for herself, chosen from the people she keeps on file: one question per page.
const next = 'form.form button[type=submit]:not([name=back])';
await applicant.check('#person');
await applicant.click(next);
await applicant.waitForLoadState();
await usable('apply: how it reaches her');
await applicant.check('input[name=delivery][value=courier]');
await applicant.click(next);
await applicant.waitForLoadState();
const caseUrl = applicant.url();
expect(/\/cases\/c-[0-9a-f]+$/.test(new URL(caseUrl).pathname), `not on the case page: ${caseUrl}`);
expect((await applicant.content()).includes('Check your answers'), 'the draft shows the answers to check');
await usable('case: check your answers');
await uploadAll(applicant);
await usable('case after an upload');
await applicant.screenshot({ path: path.join(out, '1-applicant-draft.png'), fullPage: true });
await step(applicant, 'submit');
await usable('case after sending');
expect(await state(applicant) === 'Sent, waiting for the bureau', `after submit: ${await state(applicant)}`);
const number = (await applicant.locator('h1').innerText()).replace('Case ', '').trim();

const officer = await signIn('officer@qiaoyi.example');
await officer.goto(`${base}/cases?lang=en`);
const link = officer.locator(`a:text-is("${number}")`);
expect(await link.count() === 1, `${number} is not in the officer's queue`);
await link.click();
await officer.waitForLoadState();
await step(officer, 'accept');
expect((await officer.content()).includes('Due by'), 'the accepted case shows its deadline');
await step(officer, 'return', 'The photo page of the passport is cut off; please scan the whole page.');
expect(await state(officer) === 'Returned: materials needed', `after return: ${await state(officer)}`);

await applicant.goto(caseUrl);
expect((await applicant.content()).includes('The photo page of the passport is cut off'), 'the applicant sees the reason');
await uploadAll(applicant);
await step(applicant, 'resubmit');

await officer.goto(caseUrl);
await step(officer, 'accept');
// Identity is not verified before the video check has confirmed her.
{
  const early = officer.locator('form:has(input[name=step][value=verify_identity])');
  await early.locator('button[type=submit]').click();
  await officer.waitForLoadState();
  expect((await officer.locator('#error-summary').innerText()).includes('video check'), 'verify_identity waits for the video check');
}
await videoCheck(officer, applicant, caseUrl, '季美华', 'E12345678');
await officer.goto(caseUrl);
for (const name of ['verify_identity', 'start_review', 'approve', 'start_production', 'mark_ready']) {
  await step(officer, name);
}
// Sent by courier; she reads her handover code from her page, and the officer enters it.
await step(officer, 'dispatch', null, { carrier: 'EMS', tracking: 'EE123456789CN' });
await applicant.goto(caseUrl);
expect((await applicant.content()).includes('EE123456789CN'), 'the applicant sees the tracking number');
const code = (await applicant.locator('.handover-code').innerText()).trim();
expect(/^\d{6}$/.test(code), `a six-digit handover code: ${code}`);
await step(officer, 'deliver', null, { code });
await officer.screenshot({ path: path.join(out, '2-officer-delivered.png'), fullPage: true });
await step(officer, 'close');
expect(await state(officer) === 'Closed', `after close: ${await state(officer)}`);

await applicant.goto(caseUrl);
await usable('case, closed');
expect(await state(applicant) === 'Closed', 'the applicant sees the case closed');
const timeline = await applicant.locator('ol#timeline li').count();
expect(timeline === 15, `the timeline has every step and the video check (${timeline})`);
await applicant.screenshot({ path: path.join(out, '3-applicant-closed.png'), fullPage: true });
await applicant.goto(`${base}/cases`);
await usable('my cases');

// Her mother (over 60) asks for home delivery; at the door she signs on the pad.
await applicant.goto(`${base}/apply/EE-02?lang=en`);
await applicant.locator('label.choice', { hasText: '陈秀英' }).locator('input').check();
await applicant.click(next);
await applicant.waitForLoadState();
await applicant.check('input[name=delivery][value=home]');
await applicant.click(next);
await applicant.waitForLoadState();
const homeUrl = applicant.url();
await uploadAll(applicant);
await step(applicant, 'submit');
await officer.goto(homeUrl);
await step(officer, 'accept');
await videoCheck(officer, applicant, homeUrl, '陈秀英', 'E87654321');
await officer.goto(homeUrl);
for (const name of ['verify_identity', 'start_review', 'approve', 'start_production', 'mark_ready']) {
  await step(officer, name);
}
const visit = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
await step(officer, 'dispatch', null, { visit_date: visit });
const pad = officer.locator('[data-signature-pad] canvas');
expect(await pad.isVisible(), 'the deliver step offers a signature pad');
await pad.scrollIntoViewIfNeeded();
const box = await pad.boundingBox();
await officer.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.6);
await officer.mouse.down();
for (const [fx, fy] of [[0.2, 0.3], [0.3, 0.7], [0.45, 0.25], [0.6, 0.65], [0.8, 0.4]]) {
  await officer.mouse.move(box.x + box.width * fx, box.y + box.height * fy, { steps: 6 });
}
await officer.mouse.up();
const strokes = await officer.locator('[data-signature-pad] input[name=signature]').inputValue();
expect(/^\d+,\d+( \d+,\d+)+$/.test(strokes), `the pad fills the signature field: ${strokes.slice(0, 60)}`);
await step(officer, 'deliver', null, { signer: '陈秀英' });
expect(await officer.locator('svg.signature path').count() === 1, 'the case shows the signature');
expect((await officer.content()).includes('陈秀英'), 'and who signed');
await officer.screenshot({ path: path.join(out, '4-officer-signed.png'), fullPage: true });
await step(officer, 'close');
expect(await state(officer) === 'Closed', `home delivery closed: ${await state(officer)}`);
await browser.close();
console.log(`cases: ${number} went from application to closed through the pages (${timeline} steps on its timeline); a home delivery closed on a signature drawn on the pad`);
console.log('applicant at 300 ms round trip and 1.6 Mbit/s, time to a usable page:');
for (const [label, ms] of timings) console.log(`  ${String(ms).padStart(5)} ms  ${label}`);
