// The confirm page's own code against the running ScanLogin and WeChat emulator. Started by
// tests/FunctionalTests/MiniProgram/MiniProgramPageTests.cs, which makes the PC ticket and checks the PC side afterwards:
//   SCANLOGIN_URL   a front end            EMULATOR_URL   the WeChat emulator     WECHAT_APP_ID   the mini program
//   OPEN_ID         the emulator user who scans            TICKET_ID       the PC ticket
//   SCENARIO        confirm, cancel, expire, expire-cancel or binding      EXPECT_APP_NAME, EXPECT_APP_LOGO, EXPECT_ORIGIN
// The binding scenario prints "BINDING_CODE <code>" (what the phone shows) and follows until the PC has bound.
// The expire scenario prints "ADVANCE <seconds>" and waits until the host has moved the silos' clock and written
// the file ADVANCED_FILE (jest does not hand a test its process's stdin).
const path = require('path');
const fs = require('fs');
const simulate = require('miniprogram-simulate');
const { realWx } = require('./realWx');

const root = path.resolve(__dirname, '../../../src/MiniProgram/miniprogram');
const env = name => {
  if (!process.env[name]) throw new Error(`${name} is not set: this test runs from tests/FunctionalTests/MiniProgram`);
  return process.env[name];
};
const scenario = process.env.SCENARIO;
const run = ['confirm', 'cancel', 'expire', 'expire-cancel', 'binding'].includes(scenario) ? test : test.skip;

async function until(page, state, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  while (page.data.state !== state) {
    if (Date.now() > deadline) throw new Error(`the page never reached ${state}; it shows ${page.data.state}: ${page.dom.textContent.replace(/\s+/g, ' ')}`);
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

/** Asks the test host to move the silos' clock, and waits until it says it has. */
async function advance(seconds) {
  const done = env('ADVANCED_FILE');
  process.stdout.write(`ADVANCE ${seconds}\n`);
  const deadline = Date.now() + 30000;
  while (!fs.existsSync(done)) {
    if (Date.now() > deadline) throw new Error(`the host never wrote ${done} after ADVANCE ${seconds}`);
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

run(`the confirm page, ${scenario}, against the running system`, async () => {
  require(path.join(root, 'config.js')).baseUrl = env('SCANLOGIN_URL');
  const wx = realWx({ emulatorUrl: env('EMULATOR_URL'), wechatAppId: env('WECHAT_APP_ID'), openId: env('OPEN_ID') });
  global.wx = wx;
  const page = simulate.render(simulate.load(path.join(root, 'pages/confirm/confirm'), { rootPath: root, compiler: 'official' }));
  page.attach(document.createElement('parent-wrapper'));

  // Opened as WeChat opens it from the platform's ordinary QR code: the whole link, URL-encoded, in q.
  await page.instance.onLoad({ q: encodeURIComponent(`https://mp.scanlogin.example/s/${env('TICKET_ID')}`) });
  await until(page, 'ask');
  expect(page.data.appName).toBe(env('EXPECT_APP_NAME'));
  expect(page.data.appLogoUrl).toBe(env('EXPECT_APP_LOGO'));
  expect(page.data.via).toBe('web');
  expect(page.data.origin).toBe(env('EXPECT_ORIGIN'));
  expect(page.data.device).toBe('Chrome 120 on Windows');
  expect(page.data.scanToken).not.toBe('');

  if (scenario === 'confirm') {
    page.querySelector('#confirm').dispatchEvent('tap');
    await until(page, 'signed_in');
  } else if (scenario === 'cancel') {
    page.querySelector('#cancel').dispatchEvent('tap');
    await until(page, 'cancelled');
  } else if (scenario === 'expire' || scenario === 'expire-cancel') {
    await advance(130);
    const before = wx.requests.length;
    page.querySelector(scenario === 'expire' ? '#confirm' : '#cancel').dispatchEvent('tap');
    await until(page, 'expired');
    expect(page.dom.textContent).toContain('Refresh the code on your computer');
    // The server said ticket_expired itself: the page did not need to read the ticket's status to tell expired from used.
    expect(wx.requests.slice(before)).toEqual([`POST /api/mini-program/tickets/${env('TICKET_ID')}/${scenario === 'expire' ? 'confirm' : 'cancel'}`]);
  } else if (scenario === 'binding') {
    page.querySelector('#confirm').dispatchEvent('tap');
    await until(page, 'binding');
    expect(page.data.bindingCode).toMatch(/^[0-9]{6}$/);
    expect(page.querySelector('#binding-code').dom.textContent.trim()).toBe(page.data.bindingCode);
    expect(page.dom.textContent).toContain('Type this code on your computer to link your WeChat');
    // The PC (the test host) now binds with the code it reads here; the page follows the ticket by itself.
    process.stdout.write(`BINDING_CODE ${page.data.bindingCode}\n`);
    await until(page, 'signed_in', 40000);
  } else {
    throw new Error(`unknown scenario ${scenario}`);
  }
  expect(page.data.scanToken).toBe('');
  page.instance.onUnload();
  process.stdout.write(`PAGE ${page.data.state}\n`);
}, 60000);
