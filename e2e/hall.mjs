// A morning in the Rome station's hall, in Chromium. An administrator opens the hall all day (so
// the journey does not depend on the hour it runs) and keeps its rules; the hall's screen is open
// on a 1920 × 1080 display with its sound on (speech is recorded, not played). Visitors take
// numbers on their phones (390 × 844, elder mode, in Chinese and in Italian; one aged over 70),
// staff give one at reception for a green-channel case, and the kiosk (a device staff signed in) one more; window 1 calls
// passports and window 2 household matters. The order of the calls follows the rules (priority
// first), the screen shows and speaks each call in Chinese and Italian, and her phone, left open,
// sends her to her window by itself. Full-size tap targets, no serious axe violation, no sideways
// scrolling. Served, she rates the visit very dissatisfied on her phone; the station calls her
// back and closes the follow-up; the public satisfaction page shows the rate. Screenshots under
// OUT_DIR.
import assert from 'node:assert/strict';
import { checkPage, launch, signIn } from './lib.mjs';

const base = process.env.BASE_URL;
const out = process.env.OUT_DIR ?? 'target/e2e';
assert.ok(base, 'BASE_URL must point at a running qiaoyi demo');

const browser = await launch();
try {
  const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const errors = [];
  const watch = (page) => page.on('pageerror', (e) => errors.push(e.message));

  // The hall open all day, its rules as they are.
  const admin = await (await browser.newContext({ locale: 'en-GB' })).newPage();
  watch(admin);
  await signIn(admin, base, 'admin@qiaoyi.example');
  await admin.goto(`${base}/admin/stations/IT-ROM?lang=en`);
  await admin.fill('#hours', 'mon-sun 00:00-24:00');
  await admin.click('form.form button[type=submit]');
  await admin.waitForLoadState();
  await admin.goto(`${base}/admin/stations/IT-ROM/hall?lang=en`);
  await admin.fill('#priority_run', '3');
  await admin.click('form.form button[type=submit]');
  await admin.waitForURL(/saved=1/);

  // The screen, with speech recorded instead of spoken.
  const screen = await (await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'it-IT' })).newPage();
  watch(screen);
  await screen.addInitScript(() => {
    window.spoken = [];
    window.speechSynthesis.speak = (u) => window.spoken.push(`${u.lang}|${u.text}`);
  });
  await screen.goto(`${base}/halls/IT-ROM/display?lang=it`);
  await screen.getByRole('button', { name: "Attivi l'audio" }).click();

  // Two visitors take numbers on their phones.
  const take = async (locale, lang, service, priority) => {
    const page = await (await browser.newContext({ ...phone, locale })).newPage();
    watch(page);
    await page.goto(`${base}/halls/IT-ROM?lang=${lang}&elder=1`);
    await page.locator(`input[name=group][value="${service}"]`).check();
    await page.locator(`input[name=priority][value="${priority}"]`).check();
    return page;
  };
  const her = await take('zh-CN', 'zh-CN', 'exit-entry', '');
  await checkPage(her, out, 'hall-take-elder-zh', true);
  await her.click('form.form button[type=submit]');
  await her.waitForURL(/\/hall\/numbers\//);
  await checkPage(her, out, 'hall-number-elder-zh', true);
  const herLabel = (await her.locator('.hall-label').innerText()).trim();

  const elder = await take('it-IT', 'it', 'exit-entry', 'over-70');
  await checkPage(elder, out, 'hall-take-elder-it', true);
  await elder.click('form.form button[type=submit]');
  await elder.waitForURL(/\/hall\/numbers\//);
  const elderLabel = (await elder.locator('.hall-label').innerText()).trim();
  assert.match(await elder.locator('.hall-state').innerText(), /In attesa/);
  // Her place: the elder goes first, so one number is before the first visitor.
  await her.reload();
  assert.match(await her.locator('.facts').innerText(), /1 个号/);

  // Staff: a green-channel household case at reception, a walk-in at the kiosk.
  const staff = await (await browser.newContext({ ...phone, locale: 'it-IT' })).newPage();
  watch(staff);
  await signIn(staff, base, 'station.rome@qiaoyi.example');
  await staff.goto(`${base}/hall?lang=it&elder=1`);
  await staff.waitForURL(/\/halls\/IT-ROM\/desk/);
  await staff.locator('form[action$="/desk/reception"] input[name=group][value="household"]').check();
  await staff.locator('form[action$="/desk/reception"] input[name=priority][value="green-channel"]').check();
  await staff.click('form[action$="/desk/reception"] button[type=submit]');
  await staff.waitForURL(/done=taken/);
  const greenLabel = (await staff.locator('.notice[role=status]').innerText()).match(/[A-Z]\d{3}/)[0];

  // The kiosk: a device the hall's staff signed in.
  const kiosk = await staff.context().newPage();
  watch(kiosk);
  await kiosk.goto(`${base}/halls/IT-ROM/kiosk?lang=zh-CN&elder=1`);
  await kiosk.locator('input[name=group][value="exit-entry"]').check();
  await kiosk.locator('input[name=priority][value=""]').check();
  await kiosk.click('form.form button[type=submit]');
  await kiosk.waitForURL(/kiosk=1/);
  assert.ok(await kiosk.locator('.hall-follow svg').isVisible(), 'the QR code to follow it on a phone');
  await checkPage(kiosk, out, 'hall-kiosk-number-elder-zh', true);
  const kioskLabel = (await kiosk.locator('.hall-label').innerText()).trim();

  // Window 1 calls passports, window 2 household matters: priority first, then in turn.
  const callAt = async (window, group) => {
    await staff.goto(`${base}/halls/IT-ROM/desk?lang=it&elder=1&window=${window}&groups=${group}`);
    await staff.click('form[action$="/desk/call"] button[type=submit]');
    await staff.waitForURL(/done=/);
    return (await staff.locator('.notice[role=status]').innerText()).match(/[A-Z]\d{3}/)?.[0];
  };
  assert.equal(await callAt('1', 'exit-entry'), elderLabel, 'aged over 70 first');
  assert.equal(await callAt('2', 'household'), greenLabel, 'the green-channel case');
  assert.equal(await callAt('1', 'exit-entry'), herLabel, 'then in turn');
  await checkPage(staff, out, 'hall-desk-elder-it', true);

  // Her phone, left open, sends her to window 1 by itself (it asks every ten seconds).
  await her.waitForSelector('.hall-go', { timeout: 25_000 });
  assert.match(await her.locator('.hall-go').innerText(), /1 号窗口/);
  await checkPage(her, out, 'hall-called-elder-zh', true);

  // The screen shows the calls and said them in Chinese and Italian.
  await screen.waitForFunction((label) => document.querySelector('[data-hall-calls] li')?.textContent.includes(label), herLabel, { timeout: 10_000 });
  const spoken = await screen.evaluate(() => window.spoken);
  assert.ok(spoken.includes(`zh-CN|请 ${herLabel} 号到 1 号窗口`), spoken.join('; '));
  assert.ok(spoken.includes(`it|Numero ${herLabel}, sportello 1`), spoken.join('; '));
  await screen.screenshot({ path: `${out}/hall-screen-it.png` });
  const screenOnPhone = await (await browser.newContext({ ...phone, locale: 'zh-CN' })).newPage();
  await screenOnPhone.goto(`${base}/halls/IT-ROM/display?lang=zh-CN`);
  await checkPage(screenOnPhone, out, 'hall-screen-phone-zh', false);

  // Served; the kiosk's number is next at window 1.
  await staff.locator('li.card', { hasText: herLabel }).getByRole('button', { name: 'Servito' }).click();
  await staff.waitForLoadState();
  assert.equal(await callAt('1', 'exit-entry'), kioskLabel);
  // Served, she rates the visit on her phone: very dissatisfied, with reasons.
  await her.reload();
  await her.locator('input[name=level][value="very-dissatisfied"]').check();
  await her.locator('input[name=reasons][value="waited-long"]').check();
  await her.fill('#comment', '窗口之间来回跑了三次');
  await checkPage(her, out, 'hall-rating-elder-zh', true);
  await her.click('form#rating button[type=submit]');
  await her.waitForURL(/rated=1/);
  assert.match(await her.locator('.notice[role=status]').innerText(), /非常不满意/);

  // The station follows it up: the call-back closes it.
  await staff.goto(`${base}/evaluations?lang=it&elder=1`);
  const followUp = staff.locator('section.card', { hasText: herLabel });
  assert.match(await followUp.innerText(), /Molto insoddisfatto/);
  await checkPage(staff, out, 'hall-follow-ups-elder-it', true);
  await followUp.locator('textarea').fill('Richiamata: le abbiamo spiegato i documenti e fissato un appuntamento.');
  await followUp.getByRole('button', { name: 'Chiuda con questa chiamata' }).click();
  await staff.waitForURL(/closed=1/);
  assert.equal(await staff.locator('section.card', { hasText: herLabel }).count(), 0, 'closed');

  // The public figures, without names.
  const figures = await (await browser.newContext({ ...phone, locale: 'es-ES' })).newPage();
  await figures.goto(`${base}/satisfaction?lang=es`);
  assert.match(await figures.locator('main').innerText(), /Punto de atención de Roma/);
  await checkPage(figures, out, 'satisfaction-es', false);
  assert.deepEqual(errors, []);
  console.log(`hall: ${elderLabel} (over 70), ${greenLabel} (green channel), ${herLabel}, ${kioskLabel} called in that order; spoken ${spoken.length} times`);
} finally {
  await browser.close();
}
