// Browser smoke test: the home page in Chinese on a phone, switch to Italian through the header's
// language button, open an item, check the text is Italian, keep screenshots under target/e2e/.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import path from 'node:path';

const base = process.env.BASE_URL;
const out = process.env.OUT_DIR ?? 'target/e2e';
assert.ok(base, 'BASE_URL must point at a running qiaoyi demo');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
});
let failed = false;
try {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await step('home page in Chinese', async () => {
    const response = await page.goto(`${base}/`);
    assert.equal(response.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.match(await page.textContent('h1'), /家乡事/);
    await page.screenshot({ path: path.join(out, 'home-zh.png'), fullPage: true });
  });

  await step('switch to Italian', async () => {
    // On a phone the languages are behind the header's language button, which says where it is.
    const languages = page.getByRole('button', { name: /语言: 中文/ });
    assert.equal(await languages.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.getByRole('link', { name: 'Italiano' }).isVisible(), false);
    await languages.click();
    assert.equal(await languages.getAttribute('aria-expanded'), 'true');
    await page.getByRole('link', { name: 'Italiano' }).click();
    await page.waitForLoadState();
    assert.equal(await page.getAttribute('html', 'lang'), 'it');
    assert.match(await page.textContent('h1'), /ovunque/i);
    await page.screenshot({ path: path.join(out, 'home-it.png'), fullPage: true });
  });

  await step('open an item, still in Italian', async () => {
    const api = await (await page.request.get(`${base}/api/v1/catalog/items/EE-01`)).json();
    await page.locator('a.card').first().click();
    await page.waitForLoadState();
    await page.getByRole('link', { name: api.name.it }).click();
    await page.waitForLoadState();
    assert.equal(new URL(page.url()).pathname, '/items/EE-01');
    assert.equal((await page.textContent('h1')).trim(), api.name.it);
    const body = await page.textContent('main');
    assert.match(body, /Come fare domanda/);
    assert.doesNotMatch(body, /办理流程|需要准备的材料/);
    await page.screenshot({ path: path.join(out, 'item-it.png'), fullPage: true });
  });

  await step('the choice is remembered on the next visit', async () => {
    await page.goto(`${base}/stations`);
    assert.equal(await page.getAttribute('html', 'lang'), 'it');
    await page.screenshot({ path: path.join(out, 'stations-it.png'), fullPage: true });
  });

  await step('matches appear as one types a question in pinyin', async () => {
    await page.goto(`${base}/?lang=zh-CN`);
    await page.locator('#q').pressSequentially('huzhao', { delay: 30 });
    const first = page.locator('#q-suggest a').first();
    await first.waitFor({ timeout: 5000 });
    assert.match(await first.textContent(), /护照/);
    await page.screenshot({ path: path.join(out, 'search-suggest-zh.png'), fullPage: true });
    await page.locator('#q').press('Enter');
    await page.waitForLoadState();
    assert.equal(new URL(page.url()).pathname, '/search');
    assert.ok(await page.locator('.results li').count() > 0, 'the search page lists results');
  });

  await step('an applicant signs in and sees the account page', async () => {
    await page.goto(`${base}/login?lang=en`);
    await page.getByLabel('E-mail address').fill('applicant@qiaoyi.example');
    await page.getByLabel('Password').fill('wrong password here');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState();
    assert.match(await page.textContent('.error-summary'), /not right/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'error-summary', 'focus moves to the error summary');
    assert.equal(await page.inputValue('#email'), 'applicant@qiaoyi.example', 'the address is kept');
    await page.screenshot({ path: path.join(out, 'login-error-en.png'), fullPage: true });
    await page.getByLabel('Password').fill('qiaoyi demo pass 2026');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState();
    assert.equal(new URL(page.url()).pathname, '/account');
    assert.match(await page.textContent('main'), /applicant@qiaoyi\.example/);
    await page.screenshot({ path: path.join(out, 'account-en.png'), fullPage: true });
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForLoadState();
    assert.equal(new URL(page.url()).pathname, '/');
  });

  assert.deepEqual(errors, [], 'no script errors on any page');
} finally {
  await browser.close();
}
if (failed) process.exit(1);
console.log('browser tests passed; screenshots in', out);

async function step(name, body) {
  try {
    await body();
    console.log('ok -', name);
  } catch (e) {
    failed = true;
    console.error('FAIL -', name, '\n', e);
  }
}
