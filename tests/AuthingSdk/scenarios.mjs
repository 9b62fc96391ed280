// Plays a PC site that uses the official Authing JS SDK (authing-js-sdk, client.wxqrcode) against a running ScanLogin front
// end, and the phone through the WeChat emulator and the Authing-style phone endpoints. Asserts on what the SDK returns and
// calls back. Usage: node scenarios.mjs <scenario>; run by tests/FunctionalTests/Authing/AuthingSdkTests.cs, which sets:
//   SCANLOGIN_URL    the front end (the SDK's appHost)
//   EMULATOR_URL     the WeChat emulator (its /__emulator endpoints play the phone's WeChat)
//   APP_ID           the application (the SDK's appId, sent as x-authing-app-id)
//   APP_SECRET       its secret (for the backend exchange)
//   ORIGIN           an allowed origin of the application: node has no page, so the test sends what a browser would
//   QR_LINK_PREFIX   what the QR code carries before the ticket id
// A scenario that needs the ticket clock moved prints "ADVANCE <seconds>" and waits for a line on stdin.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import axios from 'axios';
import sdk from 'authing-js-sdk';

const { AuthenticationClient } = sdk;
const env = name => process.env[name] ?? assert.fail(`${name} is not set`);
const appHost = env('SCANLOGIN_URL').replace(/\/$/, '');
const emulator = env('EMULATOR_URL').replace(/\/$/, '');
const appId = env('APP_ID');
const origin = env('ORIGIN');
const wechatAppId = process.env.WECHAT_APP_ID ?? 'wx0000000000000001';

// The SDK's axios instance is created from these defaults: every SDK call carries the page's Origin, as a browser's would.
axios.defaults.headers.common.Origin = origin;

const newClient = () => new AuthenticationClient({ appId, appHost });

/** Runs startPolling and records every callback, so the scenario can wait for the one it expects. */
function poll(client, random) {
  const events = [];
  const waiters = [];
  const record = (name, ...args) => {
    events.push({ name, args });
    for (const w of waiters.splice(0)) w();
  };
  client.wxqrcode.startPolling(random, {
    interval: 100,
    onScanned: userInfo => record('scanned', userInfo),
    onSuccess: (userInfo, ticket) => record('success', userInfo, ticket),
    onCancel: () => record('cancel'),
    onExpired: () => record('expired'),
    onError: error => record('error', error),
  });
  return {
    events,
    async next(name, timeoutMs = 20000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(e => e.name === name);
        if (found) return found.args;
        const other = events.find(e => e.name !== 'scanned' && e.name !== name);
        if (other) assert.fail(`expected ${name}, the SDK called ${other.name}: ${JSON.stringify(other.args)}`);
        if (Date.now() > deadline) assert.fail(`the SDK never called ${name}; events: ${JSON.stringify(events)}`);
        await new Promise(resolve => { waiters.push(resolve); setTimeout(resolve, 200); });
      }
    },
    stop: () => clearInterval(client.wxqrcode.timer),
  };
}

/** The phone: reads the QR image the SDK was given (zbarimg), and speaks to WeChat (the emulator) and ScanLogin. */
const phone = {
  async ticketIdFrom(url) {
    const image = await fetch(url, { headers: { Origin: origin } });
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/png');
    assert.equal(image.headers.get('access-control-allow-origin'), origin, 'the SDK draws the image on a canvas: it needs CORS');
    const dir = mkdtempSync(join(tmpdir(), 'authing-qr-'));
    try {
      const file = join(dir, 'qr.png');
      writeFileSync(file, Buffer.from(await image.arrayBuffer()));
      const payload = execFileSync('zbarimg', ['--raw', '-q', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      const prefix = env('QR_LINK_PREFIX');
      assert.ok(payload.startsWith(prefix), `the code carries ${payload}`);
      return payload.slice(prefix.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  async wechatUser(phoneNumber) {
    const user = await post(`${emulator}/__emulator/users`, { appId: wechatAppId, nickname: 'Mei', phoneNumber });
    return user.openId;
  },
  async code(kind, openId) {
    return (await post(`${emulator}/__emulator/${kind}`, { appId: wechatAppId, openId })).code;
  },
  async call(move, body, headers = {}) {
    return post(`${appHost}/api/v2/qrcode/${move}`, body, headers);
  },
  async scan(random, openId) {
    const answer = await this.call('scanned', { random, loginCode: await this.code('login-code', openId), nickname: 'Mei', avatarUrl: 'https://img.example/mei.png' });
    assert.equal(answer.code, 200, JSON.stringify(answer));
    assert.equal(answer.data.status, 1);
    return answer.data.scanToken;
  },
};

async function post(url, body, headers = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  assert.ok(response.ok, `${url} answered ${response.status}: ${await response.clone().text()}`);
  return response.json();
}

/** The SDK throws its envelope ({code, message, data}) as a plain object when code is not 200. */
async function refusal(promise) {
  try {
    await promise;
  } catch (error) {
    assert.ok(!(error instanceof Error), `expected the SDK's {code, message, data}, got ${error}`);
    return error;
  }
  assert.fail('the SDK call succeeded');
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

async function waitLine() {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) { lines.close(); return line; }
}

async function gene(client) {
  const qr = await client.wxqrcode.geneCode();
  assert.match(qr.random, /^[A-Za-z0-9_.-]+$/, 'random goes into the check URL unencoded');
  assert.equal(qr.customLogo, '');
  assert.equal(qr.expiresIn, 120);
  assert.ok(qr.url.startsWith(appHost + '/'), qr.url);
  return { ...qr, ticketId: await phone.ticketIdFrom(qr.url) };
}

const scenarios = {
  // gene -> scanned -> authorized -> exchange in the browser, as startScanning({autoExchangeUserInfo: true}) does it.
  async login() {
    const client = newClient();
    const qr = await gene(client);
    const first = await client.wxqrcode.checkStatus(qr.random);
    assert.equal(first.status, 0);
    assert.deepEqual(first.userInfo, {});
    assert.equal(first.ticket, null);

    const polling = poll(client, qr.random);
    const openId = await phone.wechatUser('13700000001');
    const scanToken = await phone.scan(qr.ticketId, openId);
    const [scanned] = await polling.next('scanned');
    assert.equal(scanned.nickname, 'Mei');
    assert.equal(scanned.photo, 'https://img.example/mei.png');
    assert.equal(scanned.token, undefined, 'a scan shows who, never a token');

    const confirmed = await phone.call('confirm', { random: qr.ticketId, phoneCode: await phone.code('phone-code', openId) },
      { authorization: `Bearer ${scanToken}` });
    assert.equal(confirmed.code, 200, JSON.stringify(confirmed));
    assert.equal(confirmed.data.status, 2);
    const [userInfo, ticket] = await polling.next('success');
    assert.equal(userInfo.nickname, 'Mei');
    assert.equal(userInfo.token, undefined, 'the poll never carries the token: the SDK exchanges the ticket');
    assert.equal(typeof ticket, 'string');
    assert.equal(polling.events.filter(e => e.name === 'scanned').length, 1, 'onScanned once');

    // Polls overlap (setInterval without an in-flight guard): every status-2 answer carries the same ticket.
    for (let i = 0; i < 3; i++) assert.equal((await client.wxqrcode.checkStatus(qr.random)).ticket, ticket);

    const user = await client.wxqrcode.exchangeUserInfo(ticket);
    assert.equal(typeof user.id, 'string');
    assert.equal(user.nickname, 'Mei');
    assert.equal(user.photo, 'https://img.example/mei.png');
    assert.equal(user.phone, '+8613700000001');
    assert.match(user.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.ok(Date.parse(user.tokenExpiredAt) > Date.now(), user.tokenExpiredAt);
    for (const field of ['username', 'email', 'userPoolId', 'signedUp', 'blocked', 'isDeleted']) assert.ok(field in user, field);
    const claims = JSON.parse(Buffer.from(user.token.split('.')[1], 'base64url'));
    assert.equal(claims.sub, user.id);
    assert.equal(claims.aud, appId);
    // What startScanning does next: the SDK keeps the user and sends its token from then on.
    client.wxqrcode.tokenProvider.setUser(user);
    assert.equal(client.wxqrcode.tokenProvider.getToken(), user.token);

    const again = await refusal(client.wxqrcode.exchangeUserInfo(ticket));
    assert.equal(again.code, 409);
    assert.equal(again.data.error, 'ticket_already_exchanged');
    const after = await client.wxqrcode.checkStatus(qr.random);
    assert.equal(after.status, 2);
    assert.equal(after.ticket, ticket);
  },

  // The default policy: the browser gets the ticket, only the site's backend (with the app secret) exchanges it.
  async backend() {
    const client = newClient();
    const qr = await gene(client);
    const polling = poll(client, qr.random);
    const openId = await phone.wechatUser(null);
    const scanToken = await phone.scan(qr.ticketId, openId);
    await phone.call('confirm', { random: qr.ticketId, scanToken });
    const [, ticket] = await polling.next('success');

    const refused = await refusal(client.wxqrcode.exchangeUserInfo(ticket));
    assert.equal(refused.code, 403);
    assert.equal(refused.data.error, 'exchange_forbidden');

    const basic = Buffer.from(`${appId}:${env('APP_SECRET')}`).toString('base64');
    const answer = await post(`${appHost}/api/v2/qrcode/userinfo`, { ticket }, { authorization: `Basic ${basic}` });
    assert.equal(answer.code, 200, JSON.stringify(answer));
    assert.equal(answer.data.nickname, 'Mei');
    assert.ok(answer.data.token);
  },

  async cancel() {
    const client = newClient();
    const qr = await gene(client);
    const polling = poll(client, qr.random);
    const scanToken = await phone.scan(qr.ticketId, await phone.wechatUser(null));
    await polling.next('scanned');
    const cancelled = await phone.call('cancel', { random: qr.ticketId, scanToken });
    assert.equal(cancelled.data.status, 3);
    await polling.next('cancel');
    const status = await client.wxqrcode.checkStatus(qr.random);
    assert.equal(status.status, 3);
    assert.deepEqual(status.userInfo, {});
    assert.equal(status.ticket, null);
  },

  async expiry() {
    const client = newClient();
    const qr = await gene(client);
    const polling = poll(client, qr.random);
    assert.equal((await client.wxqrcode.checkStatus(qr.random)).status, 0);
    console.log(`ADVANCE ${qr.expiresIn + 1}`);
    await waitLine();
    await polling.next('expired');
    const status = await client.wxqrcode.checkStatus(qr.random);
    assert.equal(status.status, -1);
    assert.deepEqual(status.userInfo, {});
    const late = await phone.call('scanned', { random: qr.ticketId, loginCode: await phone.code('login-code', await phone.wechatUser(null)) });
    assert.notEqual(late.code, 200);
  },

  async unknown() {
    const client = newClient();
    const made = await client.wxqrcode.geneCode();
    const forged = made.random.slice(0, 22).split('').reverse().join('') + made.random.slice(22);
    for (const random of [forged, 'not-a-random']) {
      const error = await refusal(client.wxqrcode.checkStatus(random));
      assert.equal(error.code, 2241);
      assert.equal(error.data.error, 'ticket_not_found');
    }
    const polling = poll(client, forged);
    const [error] = await polling.next('error');
    assert.equal(error.code, 2241, 'the refusal reaches onError');
    // The SDK clears its interval on the first refusal; polls already in flight (it has no in-flight guard) may still report.
    await sleep(1000);
    const settled = polling.events.length;
    await sleep(600);
    assert.equal(polling.events.length, settled, 'no polls after the refusal');
    assert.ok(polling.events.every(e => e.name === 'error' && e.args[0].code === 2241), JSON.stringify(polling.events));
  },

  // A login the pool refuses (login-only pool, new WeChat user): status 5 reaches onError with the reason.
  async refused() {
    const client = newClient();
    const qr = await gene(client);
    const polling = poll(client, qr.random);
    const scanToken = await phone.scan(qr.ticketId, await phone.wechatUser(null));
    const confirmed = await phone.call('confirm', { random: qr.ticketId, scanToken });
    assert.equal(confirmed.data.status, 5);
    const [message] = await polling.next('error');
    assert.match(message, /does not create accounts/);
    const status = await client.wxqrcode.checkStatus(qr.random);
    assert.equal(status.scannedResult.errmsg, status.scannedResult.message);
    assert.equal(status.scannedResult.reason, 'account_not_found');
  },

  // The other scenes belong to other products: refused in the envelope, clearly.
  async scenes() {
    const client = newClient();
    for (const other of [client.qrcode, client.wechatmpqrcode]) {
      const error = await refusal(other.geneCode());
      assert.equal(error.code, 400);
      assert.equal(error.data.error, 'scene_not_supported');
      assert.match(error.message, /WXAPP_AUTH/);
    }
  },
};

const name = process.argv[2];
if (!scenarios[name]) assert.fail(`unknown scenario ${name}; one of ${Object.keys(scenarios).join(', ')}`);
await scenarios[name]();
console.log(`ok ${name}`);
process.exit(0);
