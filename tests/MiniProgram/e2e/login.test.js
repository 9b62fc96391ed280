// The login page's own code (pages/login/login) against the running ScanLogin and WeChat emulator. Started by
// tests/FunctionalTests/MiniProgram/MiniProgramPageTests.cs with SCENARIO=login, which checks the user afterwards:
//   SCANLOGIN_URL, EMULATOR_URL, WECHAT_APP_ID, OPEN_ID   as for confirm.test.js
//   POOL_ID, IDENTITY_SOURCE, APP_ID                      what config.js's `login` names in a deployment
//   RESULT_FILE                                           where the signed-in user id and access token are written for
//                                                         the host to check (not printed: a token is never logged)
const path = require('path');
const fs = require('fs');
const simulate = require('miniprogram-simulate');
const { realWx } = require('./realWx');

const root = path.resolve(__dirname, '../../../src/MiniProgram/miniprogram');
const env = name => {
  if (!process.env[name]) throw new Error(`${name} is not set: this test runs from tests/FunctionalTests/MiniProgram`);
  return process.env[name];
};
const run = process.env.SCENARIO === 'login' ? test : test.skip;

async function until(page, state, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  while (page.data.state !== state) {
    if (Date.now() > deadline) throw new Error(`the page never reached ${state}; it shows ${page.data.state}: ${page.dom.textContent.replace(/\s+/g, ' ')}`);
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

run('the login page signs in against the running system', async () => {
  const config = require(path.join(root, 'config.js'));
  config.baseUrl = env('SCANLOGIN_URL');
  config.login = { poolId: env('POOL_ID'), identitySource: env('IDENTITY_SOURCE'), appId: env('APP_ID') };
  const wx = realWx({ emulatorUrl: env('EMULATOR_URL'), wechatAppId: env('WECHAT_APP_ID'), openId: env('OPEN_ID') });
  global.wx = wx;
  const session = require(path.join(root, 'lib/session.js'));
  const page = simulate.render(simulate.load(path.join(root, 'pages/login/login'), { rootPath: root, compiler: 'official' }));
  page.attach(document.createElement('parent-wrapper'));

  page.instance.onLoad({});
  expect(page.data.state).toBe('ready');
  page.querySelector('#login').dispatchEvent('tap');
  await until(page, 'signed_in');
  expect(wx.logins).toEqual([200]);
  expect(wx.requests).toEqual(['POST /api/mini-program/login']);
  const current = session.current();
  expect(current.tokenType).toBe('Bearer');
  expect(page.querySelector('#who').dom.textContent).toContain('Signed in as');
  fs.writeFileSync(env('RESULT_FILE'), JSON.stringify({ userId: current.user.id, accessToken: current.accessToken }));
  process.stdout.write(`PAGE ${page.data.state}\n`);
}, 60000);
