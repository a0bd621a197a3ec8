// The applicant's application, one question per page, as an elderly person on a 390-px-wide phone
// sees it: elder mode, Chinese. She applies for her father, who is not on file yet: who it is for,
// the relation, his name and birth date (first sent without the date: the error summary takes the
// focus, the name typed is kept, the message stands beside the field), how the result reaches her,
// then the case page where she checks the answers. The last answer is given by keyboard alone. Each page is checked with axe-core and saved as
// a screenshot under target/e2e/wizard/.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { axeViolations, expect, launch, layoutProblems, signIn } from './lib.mjs';

const base = process.env.BASE_URL;
const out = path.join(process.env.OUT_DIR ?? 'target/e2e', 'wizard');
if (!base) throw new Error('BASE_URL must point at a running qiaoyi demo');
mkdirSync(out, { recursive: true });

const browser = await launch();
const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
const page = await context.newPage();
await signIn(page, base, 'applicant@qiaoyi.example');
await context.addCookies([
  { name: 'lang', value: 'zh-CN', url: base },
  { name: 'elder', value: '1', url: base },
]);

const failures = [];
let shot = 0;
/** Checks the page the applicant is on and keeps a screenshot of it. */
async function look(name) {
  shot += 1;
  for (const violation of await axeViolations(page)) failures.push(`${name}: ${violation}`);
  for (const problem of await layoutProblems(page, true)) failures.push(`${name}: ${problem}`);
  await page.screenshot({ path: path.join(out, `${shot}-${name}.png`), fullPage: true });
}
async function next() {
  await page.click('form.form button[type=submit]:not([name=back])');
  await page.waitForLoadState();
}
const stage = () => page.locator('input[name=stage]').getAttribute('value');

await page.goto(`${base}/apply/EE-02`);
expect(await stage() === 'who', `the first question is who it is for, not ${await stage()}`);
await look('who');
await page.check('#person-new');
await next();
expect(await stage() === 'relation', `after "someone else": ${await stage()}`);
await look('relation');
await page.check('#relation-parent');
await next();
expect(await stage() === 'details', `after the relation: ${await stage()}`);
await page.fill('#person_name', '季国平');
await next();
expect(await page.locator('#error-summary').count() === 1, 'a missing birth date is refused with a summary');
expect(await page.evaluate(() => document.activeElement?.id) === 'error-summary', 'the summary takes the focus');
expect(await page.inputValue('#person_name') === '季国平', 'the name typed is kept');
expect(await page.locator('#birth_date-error').count() === 1, 'the message stands beside the field');
await look('details-error');
await page.fill('#birth_date', '1948-02-03');
await next();
expect(await stage() === 'delivery', `after the details: ${await stage()}`);
await look('delivery');
await page.click('button[name=back]');
await page.waitForLoadState();
expect(await page.inputValue('#birth_date') === '1948-02-03', 'back keeps the birth date');
await next();
// The last answer by keyboard alone: the error summary's link leads to the field, Tab reaches the
// choices, Space chooses, Tab reaches the button and Enter sends.
await next();
expect(await page.evaluate(() => document.activeElement?.id) === 'error-summary', 'the summary takes the focus');
await page.keyboard.press('Tab');
await page.keyboard.press('Enter');
expect(await page.evaluate(() => document.activeElement?.name) === 'delivery', 'the summary link leads to the choices');
await page.keyboard.press('Space');
for (let i = 0; i < 20 && !(await page.evaluate(() => document.activeElement?.matches('button[type=submit]:not([name=back])'))); i++) {
  await page.keyboard.press('Tab');
}
await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
expect(/\/cases\/c-[0-9a-f]+$/.test(new URL(page.url()).pathname), `not on the case page: ${page.url()}`);
expect((await page.content()).includes('季国平'), 'the answers are on the case page to check');
await look('check-answers');

await browser.close();
if (failures.length > 0) {
  console.error(failures.join('\n'));
  throw new Error(`wizard: ${failures.length} problems`);
}
console.log(`wizard: ${shot} pages of the elder-mode application on a 390-px phone checked with axe and saved in ${out}`);
