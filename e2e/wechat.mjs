// WeChat in Chromium, against a demo running Tencent's sample Official Account (scripts/test.sh
// sets it). This script speaks to /wechat/callback as WeChat does in safe mode (AES-256-CBC with
// the EncodingAESKey, SHA-1 signatures; the wechatpy package checks the same from outside in
// scripts/wechat-check.py). A person writes 绑定 and gets a code; the applicant, on a 390 × 844
// phone in elder mode in Chinese, links her WeChat with it; her next message lands in her account's
// consultations, and she chooses WeChat for her notices (Italian, elder mode). Someone not linked
// asks too, and the consultant's inbox, on the phone in elder
// mode in Italian, names her as someone on WeChat. The page in Italian, the unlinking. Full-size
// tap targets, no serious axe violation, no sideways scrolling. Screenshots under OUT_DIR.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { checkPage, launch, serverNow, signIn } from './lib.mjs';

const base = process.env.BASE_URL;
const out = process.env.OUT_DIR ?? 'target/e2e';
assert.ok(base, 'BASE_URL must point at a running qiaoyi demo with the sample WeChat account');

const APP_ID = 'wx2c2769f8efd9abc2';
const TOKEN = 'spamtest';
const KEY = Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG=', 'base64');
const stamp = Date.now().toString(36);
const linked = `o-e2e-linked-${stamp}`;
const guest = `o-e2e-guest-${stamp}`;

/** WeChat's 32-byte PKCS#7 framing around random bytes, the length, the message and the AppID. */
function encrypt(plain) {
  const message = Buffer.from(plain);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(message.length);
  const body = Buffer.concat([crypto.randomBytes(16), length, message, Buffer.from(APP_ID)]);
  const pad = 32 - (body.length % 32);
  const cipher = crypto.createCipheriv('aes-256-cbc', KEY, KEY.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([body, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

function decrypt(encrypted) {
  const decipher = crypto.createDecipheriv('aes-256-cbc', KEY, KEY.subarray(0, 16)).setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
  const body = padded.subarray(0, padded.length - padded[padded.length - 1]);
  const length = body.readUInt32BE(16);
  assert.equal(body.subarray(20 + length).toString(), APP_ID);
  return body.subarray(20, 20 + length).toString();
}

const sign = (...parts) => crypto.createHash('sha1').update(parts.sort().join('')).digest('hex');
const field = (xml, name) => xml.match(new RegExp(`<${name}>(?:<!\\[CDATA\\[)?([\\s\\S]*?)(?:\\]\\]>)?</${name}>`))?.[1];

let msgId = Date.now();
/** A text from `openid` as WeChat posts it; the account's answer, its signature checked. */
async function say(openid, content) {
  const now = Math.floor((await serverNow(base)) / 1000);
  const plain = `<xml><ToUserName><![CDATA[gh_qiaoyi]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName>`
    + `<CreateTime>${now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content>`
    + `<MsgId>${msgId++}</MsgId></xml>`;
  const encrypted = encrypt(plain);
  const nonce = crypto.randomBytes(5).toString('hex');
  const query = new URLSearchParams({ timestamp: `${now}`, nonce, openid, encrypt_type: 'aes', msg_signature: sign(TOKEN, `${now}`, nonce, encrypted) });
  const reply = await fetch(`${base}/wechat/callback?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: `<xml><ToUserName><![CDATA[gh_qiaoyi]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`,
  });
  const body = await reply.text();
  assert.equal(reply.status, 200, body);
  const sealed = field(body, 'Encrypt');
  assert.equal(field(body, 'MsgSignature'), sign(TOKEN, field(body, 'TimeStamp'), field(body, 'Nonce'), sealed));
  return field(decrypt(sealed), 'Content');
}

const browser = await launch();
try {
  const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const errors = [];
  const her = await (await browser.newContext({ ...phone, locale: 'zh-CN' })).newPage();
  her.on('pageerror', (e) => errors.push(e.message));
  await signIn(her, base, 'applicant@qiaoyi.example');

  // Her first question, as a guest; then she asks for a code.
  const first = await say(linked, `护照快到期了，在米兰怎么换？ ${stamp}`);
  const number = first.match(/q-[0-9a-f]{20}/)?.[0];
  assert.ok(number, first);
  const answer = await say(linked, '绑定');
  const code = answer.match(/绑定码：(\d{4} \d{4})/)?.[1];
  assert.ok(code, answer);

  await her.goto(`${base}/account?lang=zh-CN&elder=1`);
  await her.getByRole('link', { name: '微信' }).click();
  await her.waitForURL(/\/account\/wechat/);
  await checkPage(her, out, 'wechat-link-elder-zh', true);
  await her.fill('#code', '1234');
  await her.click('form[action="/account/wechat"] button[type=submit]');
  assert.match(await her.locator('#code-error').innerText(), /8 位数字/);
  await checkPage(her, out, 'wechat-link-error-elder-zh', true);
  await her.fill('#code', code);
  await her.click('form[action="/account/wechat"] button[type=submit]');
  await her.waitForURL(/joined=1/);
  assert.match(await her.locator('.notice[role=status]').innerText(), /微信已绑定/);
  await checkPage(her, out, 'wechat-linked-elder-zh', true);

  // Her notices can now go to WeChat too: offered in elder mode, in Italian.
  await her.goto(`${base}/account/notifications?lang=it&elder=1`);
  await her.getByLabel('Su WeChat').check();
  await checkPage(her, out, 'wechat-notices-elder-it', true);
  await her.click('form[action="/account/notifications"] button[type=submit]');
  await her.waitForURL(/saved=1/);
  assert.ok(await her.getByLabel('Su WeChat').isChecked(), 'WeChat kept as chosen');

  // Her next message joins that consultation, which is now in her account.
  assert.match(await say(linked, '我在米兰，下周有空。'), new RegExp(number));
  await her.goto(`${base}/consultations/${number}?lang=zh-CN&elder=1`);
  assert.match(await her.locator('.messages').innerText(), /我在米兰，下周有空/);

  // Someone not linked: a guest, whom the consultant's inbox names in Italian.
  await say(guest, `请问青田的公证处周六开门吗？ ${stamp}`);
  const consultant = await (await browser.newContext({ ...phone, locale: 'it-IT' })).newPage();
  consultant.on('pageerror', (e) => errors.push(e.message));
  await signIn(consultant, base, 'consultant@qiaoyi.example');
  await consultant.goto(`${base}/consult/inbox?all=1&lang=it&elder=1`);
  const row = consultant.locator('li', { hasText: `公证处周六开门吗？ ${stamp}` });
  assert.match(await row.innerText(), /Una persona su WeChat/);
  await checkPage(consultant, out, 'wechat-inbox-elder-it', true);

  // In Italian, not in elder mode; then she unlinks.
  await her.goto(`${base}/account/wechat?lang=it&elder=0`);
  assert.ok(await her.getByRole('button', { name: 'Scollega il mio WeChat' }).isVisible());
  await checkPage(her, out, 'wechat-linked-it', false);
  await her.getByRole('button', { name: 'Scollega il mio WeChat' }).click();
  await her.waitForURL(/unlinked=1/);
  assert.match(await her.locator('.notice[role=status]').innerText(), /scollegato/);
  assert.ok(await her.locator('#code').isVisible(), 'the form to link again');
  await checkPage(her, out, 'wechat-unlinked-it', false);
  assert.deepEqual(errors, []);
  console.log(`WeChat: ${linked} linked and unlinked, her consultation ${number} in her account; a guest in the inbox`);
} finally {
  await browser.close();
}
