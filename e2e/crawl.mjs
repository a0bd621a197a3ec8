// The crawler: for each demo role, sign in, follow every same-site link reachable from the role's
// home pages (bounded), and check each page in the four languages in normal mode and in Chinese and
// Italian in elder mode, on phones 390 and 320 px wide, for its status, its layout (tap targets, no
// sideways scrolling, text boxes, the header's height, elder text sizes), untranslated messages and Chinese text outside
// elements marked lang="zh-CN"; weigh applicant pages (compressed bytes and requests, with the cache
// off) against the budget of 60 KB and 4 requests. In the combinations a person looks at (Chinese in
// both modes, Italian in normal mode) axe-core runs too (serious or critical violations fail) and
// screenshots go to target/e2e/crawl/.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { axeViolations, launch, layoutProblems, signIn as signInOn } from './lib.mjs';

const base = process.env.BASE_URL;
const out = path.join(process.env.OUT_DIR ?? 'target/e2e', 'crawl');
if (!base) throw new Error('BASE_URL must point at a running qiaoyi demo');
mkdirSync(out, { recursive: true });

const ROLES = [
  { name: 'anonymous', applicant: true },
  { name: 'applicant', email: 'applicant@qiaoyi.example', applicant: true },
  { name: 'station', email: 'station.rome@qiaoyi.example' },
  { name: 'officer', email: 'officer@qiaoyi.example' },
  { name: 'duty_leader', email: 'duty@qiaoyi.example' },
  { name: 'consultant', email: 'consultant@qiaoyi.example' },
  { name: 'care_coordinator', email: 'care@qiaoyi.example' },
  { name: 'admin', email: 'admin@qiaoyi.example' },
  { name: 'auditor', email: 'auditor@qiaoyi.example' },
];
const LANGS = ['zh-CN', 'en', 'it', 'es'];
const MODES = ['normal', 'elder'];
const MAX_PAGES_PER_ROLE = 40;
const BUDGET_BYTES = 60 * 1024;
const BUDGET_REQUESTS = 4;

/**
 * Where axe runs and screenshots are taken. axe judges a page's structure, names and contrast, which
 * come from the template and the mode far more than from the language: Chinese in elder mode and
 * one Latin-script language in normal mode cover both modes and both scripts, at a quarter of the
 * cost of running everywhere. Each costs about as much as loading the page and every other check
 * together (180 ms for axe, 180 ms for a full-page screenshot, on 2 cores). An untranslated
 * accessible name is still caught in every language by the text check below.
 */
const lookedAt = (lang, mode) => ((lang === 'zh-CN' && mode === 'elder') || (lang === 'it' && mode === 'normal'))
  && process.env.CRAWL_AXE !== '0';

/**
 * Which language and mode pairs are checked. Elder mode changes sizes, not words: it is checked in
 * Chinese and in Italian (the Latin-script language with the longest words, where elder sizes
 * overflow first); English and Spanish, whose words the text checks are for, in normal mode.
 */
const checkedIn = (lang, mode) => (mode === 'normal' || lang === 'zh-CN' || lang === 'it')
  && (!process.env.CRAWL_MODE || process.env.CRAWL_MODE === mode);

// While working on one mode, `CRAWL_MODE=elder` (or `normal`) checks only it, and `CRAWL_AXE=0`
// skips axe and the screenshots; the suite sets neither.

/** One page per shape: /items/EE-01 and /items/EE-02 are the same template. */
function shape(url) {
  const u = new URL(url);
  const p = u.pathname
    .replace(/^\/items\/[A-Z]{2}-\d{2}$/, '/items/:code')
    .replace(/^\/guides\/G\d{4}$/, '/guides/:code')
    .replace(/^\/people\/[^/]+$/, '/people/:id')
    .replace(/^\/cases\/c-[0-9a-f]+$/, '/cases/:id')
    .replace(/^\/receipts\/[0-9a-f]+$/, '/receipts/:id')
    .replace(/^\/certificates\/[0-9a-f]{32}$/, '/certificates/:id')
    .replace(/^\/verify\/[0-9a-f]{32}$/, '/verify/:id')
    .replace(/^\/account\/people\/p-[0-9a-f]+$/, '/account/people/:id')
    .replace(/^\/apply\/[A-Z]{2}-\d{2}$/, '/apply/:code')
    .replace(/^\/consultations\/q-[0-9a-f]+$/, '/consultations/:id')
    .replace(/^\/care\/children\/ch-[0-9a-f]+$/, '/care/children/:id')
    .replace(/^\/care\/activities\/ca-[0-9a-f]+$/, '/care/activities/:id')
    .replace(/^\/admin\/users\/u-[0-9a-f]+$/, '/admin/users/:id')
    .replace(/^\/admin\/stations\/[A-Z]{2}-[A-Z]{3}(\/hall)?$/, '/admin/stations/:code$1')
    .replace(/^\/halls\/[A-Z]{2}-[A-Z]{3}(\/[a-z]+)?$/, '/halls/:code$1')
    .replace(/^\/hall\/numbers\/[0-9a-f]{32}$/, '/hall/numbers/:secret');
  const page = u.searchParams.get('page');
  return p + (page && page !== '1' ? '?page=n' : '');
}

const browser = await launch();

const failures = [];
let checks = 0;
let axeRuns = 0;
let heaviest = { bytes: 0, url: '' };

async function signIn(page, role) {
  await signInOn(page, base, role.email);
}

async function links(page) {
  // Links marked `download` fetch a file, not a page.
  return page.$$eval('a[href]:not([download])', (as) => as.map((a) => a.href));
}

/**
 * A tab for one role in one language and mode, reused for each of its pages (a new tab per page
 * cost as much as loading the page): it collects what the Content-Security-Policy refused and, for
 * applicants, weighs each load with the cache off.
 */
async function openTab(context, role) {
  const page = await context.newPage();
  const tab = { page, refused: [], bytes: 0, requests: 0 };
  // Whatever the Content-Security-Policy refused: a page that needs it refused is broken.
  page.on('console', (m) => { if (/Content.Security.Policy/i.test(m.text())) tab.refused.push(m.text().slice(0, 160)); });
  if (role.applicant) {
    // Weighed as a first visit; staff pages keep the cache, as staff browsers do.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    cdp.on('Network.loadingFinished', (e) => { tab.bytes += e.encodedDataLength; tab.requests += 1; });
  }
  return tab;
}

/** Checks one page in the language and mode the context's cookies choose. */
async function check(tab, role, url, lang, mode) {
  const { page } = tab;
  tab.refused = [];
  tab.bytes = 0;
  tab.requests = 0;
  const response = await page.goto(url);
  await page.waitForLoadState('load');
  const where = `${role.name} ${mode} ${lang} ${new URL(url).pathname}${new URL(url).search}`;
  checks += 1;
  if (!response || response.status() >= 400) failures.push(`${where}: status ${response?.status()}`);

  if (lookedAt(lang, mode)) {
    axeRuns += 1;
    for (const violation of await axeViolations(page)) failures.push(`${where}: ${violation}`);
  }

  for (const problem of await layoutProblems(page, mode === 'elder')) failures.push(`${where}: ${problem}`);
  // And on the narrowest phones still sold, without loading the page again.
  await page.setViewportSize({ width: 320, height: 844 });
  for (const problem of await layoutProblems(page, mode === 'elder')) failures.push(`${where} at 320 px: ${problem}`);
  await page.setViewportSize({ width: 390, height: 844 });

  // The description a search engine or a chat's link preview shows: every page has one, in its
  // language (held to the same rules as the page's text below).
  const description = await page.evaluate(() => document.querySelector('meta[name="description"]')?.content ?? '');
  if (description.trim().length < 10) failures.push(`${where}: no description: "${description}"`);
  if (lang !== 'zh-CN' && /[\u3400-\u9fff]/.test(description.replace(/[(（][^()（）]*[)）]/g, ''))) {
    failures.push(`${where}: Chinese in the description: ${description.slice(0, 60)}`);
  }
  // Accessible names and hints too, since axe does not run in every language.
  const text = await page.evaluate(() => [document.body.innerText, document.title,
    document.querySelector('meta[name="description"]')?.content ?? '',
    ...[...document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')].flatMap((el) =>
      ['aria-label', 'title', 'placeholder', 'alt'].map((a) => el.getAttribute(a) ?? ''))].join('\n'));
  if (/Unknown localization|\{\s*\$[a-z]+\s*\}/.test(text)) failures.push(`${where}: untranslated message`);
  const codes = await internalCodes(page);
  if (codes.length) failures.push(`${where}: internal codes shown: ${codes.slice(0, 4).join(' | ')}`);
  if (lang !== 'zh-CN') {
    // Chinese is allowed where the page says it is Chinese (lang="zh-CN"), in what people typed
    // themselves (names), marked with data-user-text, and in brackets or quotation marks: a guide
    // gives a Chinese office's name in brackets after its translation, and a menu label to tap in
    // a Chinese app in quotation marks, so that the reader can show or find it.
    const stray = await page.evaluate(() => {
      const found = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        const unquoted = node.textContent
          .replace(/[(（][^()（）]*[)）]/g, '')
          .replace(/[“«"][^”»"]*[”»"]/g, '');
        if (!/[\u3400-\u9fff]/.test(unquoted)) continue;
        if (el.closest('[lang^="zh"]') || el.closest('[data-user-text]')) continue;
        found.push(node.textContent.trim().slice(0, 30));
      }
      return found;
    });
    if (stray.length) failures.push(`${where}: Chinese text in a ${lang} page: ${stray.slice(0, 3).join(' | ')}`);
  }
  const { refused, bytes, requests } = tab;
  if (refused.length) failures.push(`${where}: ${refused.length} refused by the CSP: ${refused[0]}`);
  if (role.applicant) {
    if (bytes > heaviest.bytes) heaviest = { bytes, url: where };
    if (bytes > BUDGET_BYTES) failures.push(`${where}: ${bytes} bytes > ${BUDGET_BYTES}`);
    if (requests > BUDGET_REQUESTS) failures.push(`${where}: ${requests} requests > ${BUDGET_REQUESTS}`);
  }
  if (lookedAt(lang, mode)) {
    const file = `${role.name}-${mode}-${lang}-${shape(url).replace(/[^a-z0-9]+/gi, '_')}.png`;
    await page.screenshot({ path: path.join(out, file), fullPage: true });
  }
}

/**
 * Identifier-shaped text a reader should never see: snake_case and kebab-case names (an action, a
 * role, a template), record ids such as `u-d7fb…`, and time zones by their database name. Text
 * people typed (`data-user-text`), codes meant to be read or copied (`.mono`, `.code`, `code`) and
 * e-mail addresses are theirs.
 */
async function internalCodes(page) {
  return page.evaluate(() => {
    // Kebab-case only standing alone or in brackets: "write-off" in a sentence is a word.
    const shapes = [
      /\b[a-z]+(?:_[a-z0-9]+)+\b/g,
      /(?:^\s*|[([（])[a-z]{3,}(?:-[a-z]{3,})+(?=\s*$|[)\]）])/g,
      /\b[a-z]{1,3}-[0-9a-f]{6,}\b/g,
      /\b(?:Africa|America|Asia|Atlantic|Australia|Europe|Indian|Pacific)\/[A-Z][A-Za-z_]+/g,
    ];
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || el.closest('[data-user-text], .mono, .code, code, script, style, [hidden]')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const text = node.textContent.replace(/\S+@\S+/g, ' ');
      for (const shape of shapes) for (const m of text.matchAll(shape)) found.push(m[0].replace(/^[\s([（]+/, ''));
    }
    return [...new Set(found)];
  });
}

/** Pages whose content depends on who is signed in; the others are checked once, for anyone. */
const personal = (p) => /^\/(account|admin|audit|people|login|signup|cases|apply|receipts|certificates)/.test(p);
const checkedShapes = new Set();

// First each role crawls, one after another, so which shapes are checked does not depend on timing.
const groups = [];
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
  const signedIn = await context.storageState();
  for (const lang of LANGS) {
    for (const mode of MODES) {
      if (checkedIn(lang, mode)) groups.push({ role, signedIn, lang, mode, urls: toCheck });
    }
  }
  console.log(`${role.name}: ${crawled.size} page shapes crawled, ${toCheck.length} checked`);
  await context.close();
}

// Then the checks, by CRAWL_WORKERS workers (two by default: on 2 cores two took 3 min 24 s against
// 4 min 1 s for one). Each takes a role in one language and mode, in a context of its own carrying
// the role's sign-in and that language's and mode's cookies.
const WORKERS = Number(process.env.CRAWL_WORKERS ?? 2);
async function worker() {
  for (let group = groups.shift(); group; group = groups.shift()) {
    const { role, signedIn, lang, mode, urls } = group;
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: signedIn });
    await context.addCookies([
      { name: 'lang', value: lang, url: base },
      { name: 'elder', value: mode === 'elder' ? '1' : '0', url: base },
    ]);
    const tab = await openTab(context, role);
    for (const url of urls) await check(tab, role, url, lang, mode);
    await context.close();
  }
}
await Promise.all(Array.from({ length: WORKERS }, worker));
await browser.close();

console.log(`crawler: ${checks} checks (pages × roles × 6 language and mode pairs), ` +
  `axe on ${axeRuns}; ` +
  `heaviest applicant page ${(heaviest.bytes / 1024).toFixed(1)} KB (${heaviest.url}); ${failures.length} failures`);
if (failures.length) {
  for (const f of failures) console.error('FAIL -', f);
  process.exit(1);
}
