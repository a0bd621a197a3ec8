// What the browser scripts share: the demo's credentials, TOTP codes, Chromium as this machine
// runs it, signing in, and axe-core's serious or critical violations.
import { chromium } from 'playwright-core';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const PASSWORD = 'qiaoyi demo pass 2026';
export const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** RFC 6238 code for a base32 secret. */
export function totp(secret, now = Date.now()) {
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

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/** Chromium as this machine runs it (or `executable`, e.g. one started in a network namespace),
 * with `extra` flags (fake cameras, loopback WebRTC). */
export function launch(extra = [], executable = undefined) {
  return chromium.launch({
    executablePath: executable ?? process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic', ...extra],
  });
}

/** `[YYYY-MM-DD, HH:MM]` of an instant in Beijing (UTC+8 all year). */
export function beijing(ms) {
  const iso = new Date(ms + 8 * 3_600_000).toISOString();
  return [iso.slice(0, 10), iso.slice(11, 16)];
}

/**
 * The officer (signed in on `page`) publishes a 20-minute video-check time at the next free
 * minute from two minutes ahead; returns `[day, time]` in Beijing.
 */
export async function publishSoon(page, base) {
  for (let k = 2; k < 8; k++) {
    const [day, time] = beijing(Math.ceil(Date.now() / 60_000) * 60_000 + k * 60_000);
    await page.goto(`${base}/video/slots?lang=en`);
    await page.fill('#date', day);
    await page.fill('#times', time);
    await page.fill('#minutes', '20');
    await page.locator('form[action="/video/slots"] button[type=submit]').click();
    await page.waitForLoadState();
    if (await page.locator('#error-summary').count() === 0) return [day, time];
  }
  throw new Error('no free minute to publish a video-check time');
}

/**
 * The server's time from its `Date` header: the codes are for its clock, which a test may have set
 * to another day (libfaketime) than this machine's.
 */
export async function serverNow(base) {
  const reply = await fetch(`${base}/healthz`);
  const date = Date.parse(reply.headers.get('date') ?? '');
  return Number.isNaN(date) ? Date.now() : date + (Date.now() % 1000);
}

/** Signs a demo account in on `page`, passing the second factor for staff. */
export async function signIn(page, base, email) {
  await page.goto(`${base}/login?lang=en`);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('form button[type=submit]');
  await page.waitForLoadState();
  // Each code works once per account: if another script just used this one, wait for the next.
  for (let attempt = 0; attempt < 2 && new URL(page.url()).pathname === '/login/second-factor'; attempt++) {
    const now = await serverNow(base);
    if (attempt > 0) await page.waitForTimeout(30_000 - (now % 30_000) + 1_000);
    await page.fill('#code', totp(TOTP_SECRET, attempt > 0 ? await serverNow(base) : now));
    await page.click('form button[type=submit]');
    await page.waitForLoadState();
  }
  // Each role starts on its work (the account page for applicants); never back at the door.
  expect(!new URL(page.url()).pathname.startsWith('/login'), `${email} did not sign in (at ${page.url()})`);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical WCAG 2.2 AA violations on the page, one line each. */
export async function axeViolations(page) {
  // Evaluated through the debugging protocol, which the pages' Content-Security-Policy does not
  // govern: an inline <script> tag would be refused, as the policy means it to be.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // Only violations are wanted: collecting every passing node too took more than half the time.
    window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      resultTypes: ['violations'],
    }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `axe ${v.id} (${v.impact}) ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * What makes a page hard to use on a phone, one line per kind of problem: tap targets under 44 × 44
 * CSS px (WCAG 2.2 AA, normal mode) or 60 × 60 (MIIT, elder mode); a page wider than the screen; a
 * text box showing fewer than three characters; a header taller than a quarter of the screen; and
 * in elder mode body text under 18 pt (24 px), a line height under 1.3 or any text smaller than
 * the body's.
 */
export async function layoutProblems(page, elder) {
  const min = elder ? 60 : 44;
  const layout = await page.evaluate((min) => {
    const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : ''}`;
    const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
    const small = [];
    const targets = document.querySelectorAll('button, select, textarea, .button, label.choice, '
      + 'input:not([type=hidden]):not([type=radio]):not([type=checkbox]), nav a, .rows a, .pager a, .crumbs a');
    for (const el of targets) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.height < min - 0.5 || r.width < min - 0.5) small.push(`${describe(el)} ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
    const body = getComputedStyle(document.body);
    const size = parseFloat(body.fontSize);
    const line = body.lineHeight === 'normal' ? 1.2 : parseFloat(body.lineHeight) / size;
    // Wider than the screen: the page scrolls sideways. The elements sticking out are named, the
    // innermost first, so the finding points at what to fix.
    const width = window.innerWidth;
    const wide = [];
    if (document.documentElement.scrollWidth > width) {
      for (const el of document.body.querySelectorAll('*')) {
        if (!visible(el) || el.closest('.table-wrap, .chart')) continue;
        const r = el.getBoundingClientRect();
        if (r.right > width + 0.5 && ![...el.children].some((c) => c.getBoundingClientRect().right > width + 0.5)) {
          wide.push(`${describe(el)} to ${Math.round(r.right)} px`);
        }
      }
    }
    // A box one types into that shows fewer than three characters.
    const narrow = [];
    for (const el of document.querySelectorAll('textarea, select, input:not([type=hidden]):not([type=radio]):not([type=checkbox]):not([type=file]):not([type=submit])')) {
      if (!visible(el)) continue;
      const w = el.getBoundingClientRect().width;
      if (w < 3 * parseFloat(getComputedStyle(el).fontSize)) narrow.push(`${describe(el)} ${Math.round(w)} px`);
    }
    const top = document.querySelector('header.top');
    const header = top ? top.getBoundingClientRect().height : 0;
    // Text smaller than the body's, outside drawings (a chart's axis labels are sized by its SVG).
    const smaller = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!node.textContent.trim() || !el || el.closest('svg') || !visible(el)) continue;
      const px = parseFloat(getComputedStyle(el).fontSize);
      if (px < size - 0.5) smaller.push(`${describe(el)} ${px.toFixed(1)} px "${node.textContent.trim().slice(0, 20)}"`);
    }
    // The file picker's button is drawn by the browser, in its own size unless told otherwise.
    for (const el of document.querySelectorAll('input[type=file]')) {
      const px = parseFloat(getComputedStyle(el).fontSize);
      if (visible(el) && px < size - 0.5) smaller.push(`${describe(el)} ${px.toFixed(1)} px`);
    }
    return { small, size, line, wide, narrow, header, smaller, height: window.innerHeight };
  }, min);
  const problems = [];
  if (layout.small.length) problems.push(`targets under ${min} px: ${layout.small.slice(0, 3).join(', ')}`);
  if (layout.wide.length) problems.push(`wider than the screen: ${layout.wide.slice(0, 3).join(', ')}`);
  if (layout.narrow.length) problems.push(`text boxes under three characters: ${layout.narrow.slice(0, 3).join(', ')}`);
  // The header (name, language, text size, menu) keeps to a quarter of the first screen.
  if (layout.header > layout.height / 4 + 0.5) problems.push(`header ${Math.round(layout.header)} px of ${layout.height}`);
  if (elder) {
    if (layout.size < 24 || layout.line < 1.3) problems.push(`elder text ${layout.size} px, line height ${layout.line.toFixed(2)}`);
    if (layout.smaller.length) problems.push(`smaller than the body's ${layout.size} px: ${layout.smaller.slice(0, 3).join(', ')}`);
  }
  return problems;
}

/**
 * A page as a person on a phone meets it: no sideways scrolling, no layout problem for the mode,
 * no serious axe violation; its full-page screenshot saved as `out/name.png`.
 */
export async function checkPage(page, out, name, elder) {
  const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
  expect(overflow <= 1, `${name}: the page scrolls sideways by ${overflow}px`);
  const problems = [...await layoutProblems(page, elder), ...await axeViolations(page)];
  expect(problems.length === 0, `${name}: ${problems.join('; ')}`);
  await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
}
