// The room of a video identity check in Chromium with fake cameras and microphones: the officer
// publishes a time a minute ahead, the applicant moves her passport renewal's check to it and adds
// herself with her passport; both join the room and each receives the other's video (a playing
// remote track with a size); the officer records her confirmed from inside the room and the call
// goes on; a station of another country is refused at the page and at the websocket; a browser
// that may not use the camera is told so in the reader's language.
// With TURN_SECRET (scripts/test.sh's run_video_relay: coturn on loopback, the demo allowing only
// relayed connections) it also proves by getStats() that the selected candidate pair is relayed on
// both sides, prints the time from "join" to the first remote frame, and has a browser whose TURN
// credentials have expired fail to connect and be told why, in Italian. With CHROMIUM_OFFICER and
// CHROMIUM_APPLICANT (scripts/video-nat.sh) each side's browser is in its own network behind NAT,
// and EXPECT_DELAY_MS is the least round trip the selected pair must show.
// Screenshots go to target/e2e/video/.
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, launch, publishSoon, signIn } from './lib.mjs';

const base = process.env.BASE_URL;
const out = path.join(process.env.OUT_DIR ?? 'target/e2e', 'video');
if (!base) throw new Error('BASE_URL must point at a running qiaoyi demo');
mkdirSync(out, { recursive: true });

const flags = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required',
  // Cameras need a secure page: a deployment serves HTTPS; the test's plain-HTTP demo on an
  // address other than loopback is declared secure for the test's browsers only.
  `--unsafely-treat-insecure-origin-as-secure=${base}`];
// scripts/video-nat.sh starts each side's Chromium in its own network; otherwise one for all.
const browser = await launch(flags, process.env.CHROMIUM_APPLICANT);
const officerBrowser = process.env.CHROMIUM_OFFICER ? await launch(flags, process.env.CHROMIUM_OFFICER) : browser;
const acrossNat = Boolean(process.env.CHROMIUM_OFFICER);

const relay = process.env.TURN_SECRET;
// Every RTCPeerConnection a page makes, kept where the test can ask it for its statistics.
const keepConnections = () => {
  const Original = window.RTCPeerConnection;
  window.__connections = [];
  window.RTCPeerConnection = function (config) {
    const pc = new Original(config);
    window.__connections.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Original.prototype;
};
// The candidate types of each connection's selected pair, and its state.
const pairs = () => Promise.all(window.__connections.map(async (pc) => {
  const stats = await pc.getStats();
  let pair = null;
  stats.forEach((r) => { if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId); });
  return {
    state: pc.connectionState,
    local: pair && stats.get(pair.localCandidateId)?.candidateType,
    remote: pair && stats.get(pair.remoteCandidateId)?.candidateType,
    rtt: pair && pair.currentRoundTripTime,
  };
}));

async function person(email, from = browser) {
  const context = await from.newContext({ viewport: { width: 1000, height: 900 } });
  await context.addInitScript(keepConnections);
  const page = await context.newPage();
  await signIn(page, base, email);
  return page;
}

const officer = await person('officer@qiaoyi.example', officerBrowser);
const applicant = await person('applicant@qiaoyi.example');
const stranger = await person('station.madrid@qiaoyi.example');

// Her renewal waiting at the bureau: its check moves to the new time, or is booked for it.
const [day, time] = await publishSoon(officer, base);
const mine = await (await applicant.request.get(`${base}/api/v1/cases?view=mine&limit=100`)).json();
const renewal = mine.items.find((c) => c.item === 'EE-01' && ['submitted', 'accepted'].includes(c.state));
expect(renewal, 'the demo has her passport renewal waiting at the bureau');
const caseUrl = `${base}/cases/${renewal.id}?lang=en`;
await applicant.goto(caseUrl);
const move = applicant.locator('form[action$="/video/move"]');
const form = (await move.count()) ? move : applicant.locator('form[action$="/video"]');
if (await move.count()) await applicant.locator('details:has(form[action$="/video/move"]) summary').click();
const choice = form.locator('label.choice', { hasText: `${day} ${time} CST` });
expect(await choice.count() === 1, `the case offers ${day} ${time}`);
await choice.locator('input').check();
await form.locator('button[type=submit]').click();
await applicant.waitForLoadState();
const add = applicant.locator('form[action$="/video/participants"]');
await add.locator('[name=name]').fill('季美华');
await add.locator('[name=document_number]').fill('E 2468 1357');
await add.locator('button[type=submit]').click();
await applicant.waitForLoadState();
const enter = applicant.locator('a[href^="/video/room/"]');
expect(await enter.count() === 1, 'the case page offers the open room');
const roomPath = await enter.getAttribute('href');
const slot = roomPath.split('/').pop();

// A station of another country: refused at the page and at the websocket.
const refused = await stranger.goto(`${base}${roomPath}?lang=en`);
expect(refused.status() === 403, `the stranger's room page answers ${refused.status()}`);
const socket = await stranger.evaluate((url) => new Promise((resolve) => {
  const ws = new WebSocket(url);
  ws.onopen = () => { resolve('open'); ws.close(); };
  ws.onclose = () => resolve('refused');
}), `${base.replace('http', 'ws')}/ws/video/${slot}`);
expect(socket === 'refused', `the stranger's socket was ${socket}`);

// Both join; each receives the other's video.
for (const page of [officer, applicant]) {
  await page.goto(`${base}${roomPath}?lang=en`);
  expect((await page.locator('#privacy').count()) === 1, 'the privacy notice comes before joining');
  expect((await page.content()).includes('Nothing is recorded'), 'the notice says nothing is recorded');
}
await officer.click('#room-join');
await officer.waitForFunction(() => document.getElementById('room-status').textContent.includes('Waiting'));
const joined = Date.now();
await applicant.click('#room-join');
const playing = () => {
  const v = document.querySelector('#room-videos video.remote');
  return v && !v.paused && v.videoWidth > 0 && v.videoHeight > 0 && v.srcObject
    && v.srcObject.getVideoTracks().some((t) => t.readyState === 'live');
};
await officer.waitForFunction(playing, null, { timeout: 30_000 });
await applicant.waitForFunction(playing, null, { timeout: 30_000 });
const size = await applicant.evaluate(() => {
  const v = document.querySelector('#room-videos video.remote');
  return `${v.videoWidth}x${v.videoHeight}`;
});
console.log(`video: both sides receive the other's video (${size}), ${Date.now() - joined} ms from join to the first remote frame`);
if (relay) {
  for (const [who, page] of [['officer', officer], ['applicant', applicant]]) {
    const used = (await page.evaluate(pairs)).filter((c) => c.state === 'connected');
    // Relayed on this side; across the NAT, relayed on one side at least (a browser may send
    // straight to the other's relay address).
    expect(used.length === 1 && (used[0].local === 'relay' || (acrossNat && used[0].remote === 'relay')),
      `the ${who}'s call goes through the relay: ${JSON.stringify(used)}`);
    await page.waitForFunction(() => document.getElementById('room-status').textContent.includes('relay'));
    console.log(`video: the ${who}'s selected candidate pair is ${used[0].local} ↔ ${used[0].remote}, round trip ${Math.round(used[0].rtt * 1000)} ms`);
    const delay = Number(process.env.EXPECT_DELAY_MS ?? 0);
    expect(used[0].rtt * 1000 >= delay * 0.9, `the round trip carries the distance: ${used[0].rtt} s`);
  }
  await officer.waitForFunction(() => /ms · [0-9.]+%/.test(document.querySelector('#room-videos .quality')?.textContent ?? ''));
  console.log(`video: the officer sees ${await officer.locator('#room-videos .quality').innerText()}`);
}
await officer.screenshot({ path: path.join(out, '1-officer-in-call.png'), fullPage: true });
await applicant.screenshot({ path: path.join(out, '2-applicant-in-call.png'), fullPage: true });

// The officer records from inside the room; the call goes on.
const record = officer.locator('#participants form[action$="/record"]').first();
await record.locator('[name=verdict]').selectOption('confirmed');
await record.locator('[name=document_number]').fill('E24681357');
await record.locator('button[type=submit]').click();
await officer.waitForFunction(() => document.getElementById('participants').textContent.includes('Identity confirmed'));
expect(await officer.evaluate(playing), 'the call goes on after recording');
expect(officer.url().includes(roomPath), 'the officer stays in the room');

// The network drops for a while (DROP_CMD, e.g. the router of scripts/video-nat.sh stops
// forwarding): both sides say they are reconnecting; once it is back (RESTORE_CMD) the call comes
// back by itself and the officer's record is still there.
if (process.env.DROP_CMD) {
  const { execSync } = await import('node:child_process');
  execSync(process.env.DROP_CMD);
  const dropped = Date.now();
  await applicant.waitForFunction(() => document.getElementById('room-status').textContent.includes('Reconnecting'),
    null, { timeout: 40_000 });
  await officer.waitForFunction(() => document.getElementById('room-status').textContent.includes('Reconnecting'),
    null, { timeout: 40_000 });
  execSync(process.env.RESTORE_CMD);
  const back = Date.now();
  for (const page of [officer, applicant]) {
    await page.waitForFunction(() => document.getElementById('room-status').textContent.includes('Connected'),
      null, { timeout: 60_000 });
    await page.waitForFunction(playing, null, { timeout: 30_000 });
  }
  expect(await officer.locator('#participants').innerText().then((t) => t.includes('Identity confirmed')),
    'the record is kept across the drop');
  console.log(`video: the call dropped (said after ${back - dropped} ms) and came back by itself ${Date.now() - back} ms after the network did`);
}

// The applicant leaves; the officer sees her go.
await applicant.click('#room-leave');
await officer.waitForFunction(() => !document.querySelector('#room-videos video.remote'));

// Credentials past their time, as a page left open past the room's hour would hold: the relay
// refuses them, the call does not connect, and she is told why in her language. (Across the NAT
// the policy allows direct routes, and she could still reach the officer's relay address.)
if (relay && !acrossNat) {
  const late = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await late.addInitScript(keepConnections);
  await late.routeWebSocket(/\/ws\/video\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => {
      const frame = JSON.parse(m);
      if (frame.type === 'welcome') {
        const expires = Math.floor(Date.now() / 1000) - 60;
        for (const s of frame.ice.iceServers.filter((s) => s.username)) {
          s.username = `${expires}:${s.username.split(':')[1]}`;
          s.credential = createHmac('sha1', relay).update(s.username).digest('base64');
        }
        frame.ice.expires = expires;
      }
      ws.send(JSON.stringify(frame));
    });
  });
  const latePage = await late.newPage();
  await signIn(latePage, base, 'applicant@qiaoyi.example');
  await latePage.goto(`${base}${roomPath}?lang=it&elder=1`);
  await latePage.click('#room-join');
  await latePage.waitForFunction(() => document.getElementById('room-status').textContent.includes('sono scaduti'));
  await latePage.waitForTimeout(8_000);
  const states = await latePage.evaluate(pairs);
  expect(states.length > 0 && states.every((c) => c.state !== 'connected'),
    `expired credentials do not connect: ${JSON.stringify(states)}`);
  await latePage.screenshot({ path: path.join(out, '3-expired-credentials-it.png'), fullPage: true });
  console.log(`video: expired TURN credentials were refused (${states.map((c) => c.state).join(', ')}) and explained`);
  await late.close();
}

// A browser that may not use the camera is told so, in Chinese here.
const denied = await browser.newContext();
await denied.addInitScript(() => {
  navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
});
const deniedPage = await denied.newPage();
await signIn(deniedPage, base, 'applicant@qiaoyi.example');
await deniedPage.goto(`${base}${roomPath}?lang=zh-CN`);
await deniedPage.click('#room-join');
const message = await deniedPage.locator('#room-status').innerText();
expect(message.includes('浏览器未获准使用您的摄像头'), `the refusal is explained: ${message}`);

await browser.close();
if (officerBrowser !== browser) await officerBrowser.close();
console.log('video: two browsers connected, the record kept the call, the stranger was refused');
