// The crawler: for each demo role, sign in, follow every same-site link reachable from the role's
// home pages (bounded), and check each page in normal and elder mode and in the four languages with
// axe-core (serious or critical violations fail), for untranslated messages and for Chinese text
// outside elements marked lang="zh-CN"; weigh applicant pages (compressed bytes and requests, with
// the cache off) against the budget of 60 KB and 4 requests. Screenshots go to target/e2e/crawl/.
import { chromium } from 'playwright-core';
import { createHmac } from 'node:crypto';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const base = process.env.BASE_URL;
const out = path.join(process.env.OUT_DIR ?? 'target/e2e', 'crawl');
if (!base) throw new Error('BASE_URL must point at a running qiaoyi demo');
mkdirSync(out, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const PASSWORD = 'qiaoyi demo pass 2026';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const ROLES = [
  { name: 'anonymous', applicant: true },
  { name: 'applicant', email: 'applicant@qiaoyi.example', applicant: true },
  { name: 'station', email: 'station.rome@qiaoyi.example' },
  { name: 'officer', email: 'officer@qiaoyi.example' },
  { name: 'duty_leader', email: 'duty@qiaoyi.example' },
  { name: 'consultant', email: 'consultant@qiaoyi.example' },
  { name: 'care_worker', email: 'care@qiaoyi.example' },
  { name: 'admin', email: 'admin@qiaoyi.example' },
  { name: 'auditor', email: 'auditor@qiaoyi.example' },
];
const LANGS = ['zh-CN', 'en', 'it', 'es'];
const MODES = ['normal', 'elder'];
const MAX_PAGES_PER_ROLE = 40;
const BUDGET_BYTES = 60 * 1024;
const BUDGET_REQUESTS = 4;

/** RFC 6238 code for a base32 secret. */
function totp(secret, now = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** One page per shape: /items/EE-01 and /items/EE-02 are the same template. */
function shape(url) {
  const u = new URL(url);
  const p = u.pathname
    .replace(/^\/items\/[A-Z]{2}-\d{2}$/, '/items/:code')
    .replace(/^\/guides\/G\d{4}$/, '/guides/:code')
    .replace(/^\/people\/[^/]+$/, '/people/:id')
    .replace(/^\/cases\/c-[0-9a-f]+$/, '/cases/:id')
    .replace(/^\/account\/people\/p-[0-9a-f]+$/, '/account/people/:id')
    .replace(/^\/apply\/[A-Z]{2}-\d{2}$/, '/apply/:code');
  const page = u.searchParams.get('page');
  return p + (page && page !== '1' ? '?page=n' : '');
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
});

const failures = [];
let checks = 0;
let heaviest = { bytes: 0, url: '' };

async function signIn(page, role) {
  await page.goto(`${base}/login?lang=en`);
  await page.fill('#email', role.email);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForLoadState();
  // Each code works once per account: if another script just used this one, wait for the next.
  for (let attempt = 0; attempt < 2 && new URL(page.url()).pathname === '/login/second-factor'; attempt++) {
    if (attempt > 0) await page.waitForTimeout(30_000 - (Date.now() % 30_000) + 1_000);
    await page.fill('#code', totp(TOTP_SECRET));
    await page.click('form button[type=submit]');
    await page.waitForLoadState();
  }
  if (new URL(page.url()).pathname !== '/account') throw new Error(`${role.name} did not sign in (at ${page.url()})`);
}

async function links(page) {
  // Links marked `download` fetch a file, not a page.
  return page.$$eval('a[href]:not([download])', (as) => as.map((a) => a.href));
}

/** Checks one page in one language and mode. */
async function check(context, role, url, lang, mode) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  let bytes = 0;
  let requests = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; requests += 1; });
  await context.addCookies([
    { name: 'lang', value: lang, url: base },
    { name: 'elder', value: mode === 'elder' ? '1' : '0', url: base },
  ]);
  const response = await page.goto(url);
  await page.waitForLoadState('load');
  const where = `${role.name} ${mode} ${lang} ${new URL(url).pathname}${new URL(url).search}`;
  checks += 1;
  if (!response || response.status() >= 400) failures.push(`${where}: status ${response?.status()}`);

  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
  for (const v of result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
    failures.push(`${where}: axe ${v.id} (${v.impact}) ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
  }

  // Tap targets: 44 × 44 CSS px (WCAG 2.2 AA, our normal mode) or 60 × 60 in elder mode (MIIT);
  // main text in elder mode at least 18 pt (24 px) with line height at least 1.3.
  const min = mode === 'elder' ? 60 : 44;
  const layout = await page.evaluate((min) => {
    const small = [];
    const targets = document.querySelectorAll('button, select, textarea, .button, label.choice, '
      + 'input:not([type=hidden]):not([type=radio]):not([type=checkbox]), nav a, .rows a, .pager a, .crumbs a');
    for (const el of targets) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.height < min - 0.5 || r.width < min - 0.5) {
        small.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + el.className : ''} ${Math.round(r.width)}x${Math.round(r.height)}`);
      }
    }
    const body = getComputedStyle(document.body);
    const size = parseFloat(body.fontSize);
    const line = body.lineHeight === 'normal' ? 1.2 : parseFloat(body.lineHeight) / size;
    return { small, size, line };
  }, min);
  if (layout.small.length) failures.push(`${where}: targets under ${min} px: ${layout.small.slice(0, 3).join(', ')}`);
  if (mode === 'elder' && (layout.size < 24 || layout.line < 1.3)) {
    failures.push(`${where}: elder text ${layout.size} px, line height ${layout.line.toFixed(2)}`);
  }

  const text = await page.evaluate(() => document.body.innerText);
  if (/Unknown localization|\{\s*\$[a-z]+\s*\}/.test(text)) failures.push(`${where}: untranslated message`);
  if (lang !== 'zh-CN') {
    // Chinese is allowed where the page says it is Chinese (guides, original titles) and in what
    // people typed themselves (names), marked with data-user-text.
    const stray = await page.evaluate(() => {
      const found = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        if (!/[\u3400-\u9fff]/.test(node.textContent)) continue;
        if (el.closest('[lang^="zh"]') || el.closest('[data-user-text]')) continue;
        found.push(node.textContent.trim().slice(0, 30));
      }
      return found;
    });
    if (stray.length) failures.push(`${where}: Chinese text in a ${lang} page: ${stray.slice(0, 3).join(' | ')}`);
  }
  if (role.applicant) {
    if (bytes > heaviest.bytes) heaviest = { bytes, url: where };
    if (bytes > BUDGET_BYTES) failures.push(`${where}: ${bytes} bytes > ${BUDGET_BYTES}`);
    if (requests > BUDGET_REQUESTS) failures.push(`${where}: ${requests} requests > ${BUDGET_REQUESTS}`);
  }
  if (lang === 'zh-CN' || (lang === 'it' && mode === 'normal')) {
    const file = `${role.name}-${mode}-${lang}-${shape(url).replace(/[^a-z0-9]+/gi, '_')}.png`;
    await page.screenshot({ path: path.join(out, file), fullPage: true });
  }
  await page.close();
}

/** Pages whose content depends on who is signed in; the others are checked once, for anyone. */
const personal = (p) => /^\/(account|admin|audit|people|login|signup|cases|apply)/.test(p);
const checkedShapes = new Set();

for (const role of ROLES) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const queue = [`${base}/`];
  if (role.email) {
    await signIn(page, role);
    queue.push(`${base}/account`);
  }
  const crawled = new Set();
  const toCheck = [];
  while (queue.length && crawled.size < MAX_PAGES_PER_ROLE) {
    const u = new URL(queue.shift());
    u.hash = '';
    const s = shape(u.href);
    if (u.origin !== new URL(base).origin || crawled.has(s)) continue;
    if (u.searchParams.has('lang') || u.searchParams.has('elder') || u.pathname.startsWith('/static/')) continue;
    crawled.add(s);
    const response = await page.goto(u.href);
    if (!response || response.status() >= 400) {
      // A link to a page the role may not open is a finding only if it is not a refusal.
      if (response?.status() !== 403) failures.push(`${role.name} ${u.href}: status ${response?.status()}`);
      continue;
    }
    const key = personal(u.pathname) ? `${role.name}:${s}` : s;
    if (!checkedShapes.has(key)) {
      checkedShapes.add(key);
      toCheck.push(u.href);
    }
    queue.push(...(await links(page)));
  }
  for (const url of toCheck) {
    for (const lang of LANGS) {
      for (const mode of MODES) await check(context, role, url, lang, mode);
    }
  }
  console.log(`${role.name}: ${crawled.size} page shapes crawled, ${toCheck.length} checked`);
  await context.close();
}
await browser.close();

console.log(`crawler: ${checks} checks (pages × roles × ${MODES.length} modes × ${LANGS.length} languages); ` +
  `heaviest applicant page ${(heaviest.bytes / 1024).toFixed(1)} KB (${heaviest.url}); ${failures.length} failures`);
if (failures.length) {
  for (const f of failures) console.error('FAIL -', f);
  process.exit(1);
}
