// The care programme in Chromium on a phone: a care coordinator records a child with consent, reviews
// the pairing proposal, moves the child to another volunteer and confirms; records the child's
// wish, which is taken up for a donor and fulfilled on the board; the applicant, a parent abroad,
// sees her daughter's proxy parent and writes to her; the proxy parent reads it on the daughter's
// record. Screenshots under OUT_DIR.
import assert from 'node:assert/strict';
import path from 'node:path';
import { launch, signIn } from './lib.mjs';

const base = process.env.BASE_URL;
const out = process.env.OUT_DIR ?? 'target/e2e';
assert.ok(base, 'BASE_URL must point at a running qiaoyi demo');

/** Fails with the page's error summary when the last form was refused. */
async function accepted(page, what) {
  await page.waitForLoadState();
  const summary = page.locator('#error-summary');
  assert.equal(await summary.count(), 0, `${what} was refused: ${await summary.count() && await summary.innerText()}`);
}

const browser = await launch();
try {
  const phone = { locale: 'en-GB', viewport: { width: 390, height: 844 } };
  const care = await (await browser.newContext(phone)).newPage();
  const errors = [];
  care.on('pageerror', (e) => errors.push(e.message));
  await signIn(care, base, 'care@qiaoyi.example');

  // A child recorded with her grandmother's consent.
  const name = `陈小明${Date.now() % 1000}`;
  const born = new Date(Date.now() - 9 * 365.25 * 86_400_000).toISOString().slice(0, 10);
  await care.goto(`${base}/care/children/new?lang=en`);
  await care.fill('#name', name);
  await care.fill('#birth_date', born);
  await care.selectOption('#township', '温溪镇');
  await care.fill('#guardian', '陈奶奶（祖母）');
  await care.check('input[name=languages][value=qingtian]');
  await care.fill('#consent_by', '陈奶奶');
  await care.check('input[name=consent_relation][value=guardian]');
  await care.check('input[name=consent_given]');
  await care.locator('form[action="/care/children/new"] button[type=submit]').click();
  await accepted(care, 'recording the child');
  const childPath = new URL(care.url()).pathname;
  assert.match(childPath, /^\/care\/children\/ch-/);

  // The proposal pairs her with a volunteer; the coordinator moves her to herself and confirms.
  await care.goto(`${base}/care/pairing?lang=en`);
  const line = care.locator('#pairs li', { hasText: name });
  assert.equal(await line.count(), 1, 'the new child waits in the proposal');
  const select = line.locator('select');
  assert.notEqual(await select.inputValue(), '', 'a volunteer is proposed');
  const mine = await select.locator('option', { hasText: '警察妈妈' }).getAttribute('value');
  await select.selectOption(mine);
  await care.screenshot({ path: path.join(out, 'care-proposal-en.png'), fullPage: true });
  await care.getByRole('button', { name: 'Confirm these pairings' }).click();
  await accepted(care, 'confirming the pairings');
  assert.match(await care.textContent('main'), /Every child has a proxy parent\./);
  await care.goto(`${base}${childPath}?lang=en`);
  assert.match(await care.textContent('#proxy'), /警察妈妈/);

  // Her wish, taken up for a donor and fulfilled on the board.
  await care.fill('#wish', '一个篮球');
  await care.getByRole('button', { name: 'Record the wish' }).click();
  await accepted(care, 'recording the wish');
  await care.goto(`${base}/care/wishes?state=open&lang=en`);
  const wish = care.locator('ul.rows > li', { hasText: '一个篮球' });
  await wish.locator('input[name=donor]').fill('青田华侨商会');
  await wish.getByRole('button', { name: 'Take it up' }).click();
  await accepted(care, 'taking the wish up');
  const taken = care.locator('ul.rows > li', { hasText: '一个篮球' });
  assert.match(await taken.textContent(), /taken up/);
  assert.match(await taken.textContent(), /青田华侨商会/);
  await taken.locator('input[name=note]').fill('已送到学校');
  await taken.getByRole('button', { name: 'Fulfilled' }).click();
  await accepted(care, 'fulfilling the wish');
  assert.match(await care.locator('ul.rows > li', { hasText: '一个篮球' }).textContent(), /fulfilled/);
  await care.screenshot({ path: path.join(out, 'care-wishes-en.png'), fullPage: true });

  // The parent abroad writes to her daughter's proxy parent.
  const parent = await (await browser.newContext(phone)).newPage();
  parent.on('pageerror', (e) => errors.push(e.message));
  await signIn(parent, base, 'applicant@qiaoyi.example');
  await parent.goto(`${base}/account/children?lang=en`);
  const daughter = parent.locator('section', { hasText: '季小雨' });
  assert.match(await daughter.textContent(), /叶警官/, 'her proxy parent is shown');
  const note = `小雨下周考试，谢谢您 ${Date.now() % 1000}`;
  await daughter.locator('textarea[name=message]').fill(note);
  await daughter.getByRole('button', { name: 'Send' }).click();
  await accepted(parent, 'the message');
  assert.match(await parent.textContent('main'), new RegExp(note));
  await parent.screenshot({ path: path.join(out, 'care-parent-en.png'), fullPage: true });

  // The proxy parent reads it on the daughter's record.
  const volunteer = await (await browser.newContext(phone)).newPage();
  volunteer.on('pageerror', (e) => errors.push(e.message));
  await signIn(volunteer, base, 'volunteer@qiaoyi.example');
  await volunteer.goto(`${base}/care?lang=en`);
  await volunteer.getByRole('link', { name: '季小雨' }).click();
  await volunteer.waitForLoadState();
  assert.match(await volunteer.textContent('main'), new RegExp(note));

  assert.deepEqual(errors, [], 'no script errors');
  console.log('care: a child paired as adjusted, a wish fulfilled for a donor, a parent\'s message read by the proxy parent');
} finally {
  await browser.close();
}
