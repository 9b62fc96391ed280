// The login page (contract 3: POST /api/mini-program/login) with wx.* mocked.
const path = require('path');
const { root, config, fakeWx, render, until, text, resetConfig } = require('./harness');
const session = require(path.join(root, 'lib/session.js'));

const LOGIN = '/api/mini-program/login';
const signedIn = (extra = {}) => ({
  status: 200,
  data: Object.assign({
    status: 'signed_in',
    user: { id: 'user-1', poolId: 'demo', nickname: 'Mei', phone: null },
    idToken: 'id.token.x', accessToken: 'access.token.x', tokenType: 'Bearer', expiresAt: new Date(Date.now() + 3600000).toISOString(),
  }, extra),
});
const binding = (canRegister, phoneShared) => ({ status: 200, data: { status: 'binding_required', canRegister, phoneShared } });
const problem = (status, code, extra = {}) => ({ status, data: Object.assign({ status, code }, extra) });

async function open(answers, wxOptions = {}) {
  const queue = [...answers];
  const wx = fakeWx(Object.assign({ routes: (method, p) => (method === 'POST' && p === LOGIN ? queue.shift() : undefined) }, wxOptions));
  const page = render('login');
  page.instance.onLoad({});
  return { wx, page };
}

const tap = (page, id) => page.querySelector(`#${id}`).dispatchEvent('tap');
const settled = (page, state) => until(page, d => d.state === state, `the ${state} view`);

beforeEach(() => { resetConfig(); session.set(null); });

test('logging in sends the wx.login code for the configured pool, identity source and application, and keeps the tokens in memory only', async () => {
  config.login = { poolId: 'shop', identitySource: 'wechat-mp', appId: 'shop-app' };
  const { wx, page } = await open([signedIn()]);
  tap(page, 'login');
  await settled(page, 'signed_in');
  expect(wx.calls).toEqual([{ method: 'POST', path: LOGIN, body: { poolId: 'shop', identitySource: 'wechat-mp', appId: 'shop-app', loginCode: 'login-code-1' } }]);
  expect(text(page, '#who')).toBe('Signed in as Mei');
  expect(session.current().accessToken).toBe('access.token.x');
  expect(wx.setStorage).not.toHaveBeenCalled();
  expect(wx.setStorageSync).not.toHaveBeenCalled();
  expect(JSON.stringify(page.data)).not.toContain('access.token.x');
});

test('signing out forgets the session', async () => {
  const { page } = await open([signedIn()]);
  tap(page, 'login');
  await settled(page, 'signed_in');
  tap(page, 'sign-out');
  await settled(page, 'ready');
  expect(session.current()).toBeNull();
});

test('an expired session is not offered again', () => {
  session.set({ user: { id: 'u' }, idToken: 'i', accessToken: 'a', tokenType: 'Bearer', expiresAt: new Date(Date.now() - 1000).toISOString() });
  expect(session.current()).toBeNull();
});

test('the phone-number button logs in with the phone code (a source matching accounts by phone finds the account by it)', async () => {
  const { wx, page } = await open([signedIn({ user: { id: 'user-2', poolId: 'demo', nickname: null, phone: '+8613800138000' } })]);
  page.querySelector('#login-phone').dispatchEvent('getphonenumber', { detail: { errMsg: 'getPhoneNumber:ok', code: 'phone-code-1' } });
  await settled(page, 'signed_in');
  expect(wx.calls[0].body).toEqual(Object.assign({}, config.login, { loginCode: 'login-code-1', phoneCode: 'phone-code-1' }));
  expect(text(page, '#who')).toBe('Signed in as +8613800138000');
});

test.each([
  ['the user denies', { errMsg: 'getPhoneNumber:fail user deny' }],
  ['the quota is used up (errno 1400001)', { errMsg: 'getPhoneNumber:fail no permission', errno: 1400001 }],
  ['the mini program may not use it', { errMsg: 'getPhoneNumber:fail no permission' }],
])('when WeChat refuses the number (%s) the login goes on without it', async (_, detail) => {
  const { wx, page } = await open([signedIn()]);
  page.querySelector('#login-phone').dispatchEvent('getphonenumber', { detail });
  await settled(page, 'signed_in');
  expect(wx.calls[0].body).toEqual(Object.assign({}, config.login, { loginCode: 'login-code-1' }));
});

test('a mini program that cannot offer the phone number shows only the WeChat button', async () => {
  config.offerPhoneNumber = false;
  const { page } = await open([]);
  expect(page.querySelector('#login-phone')).toBeUndefined();
  expect(page.querySelector('#login')).toBeDefined();
});

test.each([
  [true, 'link it to your account or create one there'],
  [false, 'and link it to your account there.'],
])('binding required (canRegister %s): link the WeChat by a login on the website', async (canRegister, words) => {
  const { page } = await open([binding(canRegister, false)]);
  tap(page, 'login');
  await settled(page, 'binding');
  expect(text(page, '#message')).toContain(words);
  expect(session.current()).toBeNull();
});

test.each([
  ['account_not_found', 403, 'No account on this site is linked to your WeChat'],
  ['user_blocked', 403, 'Your account on this site is blocked'],
])('refused (%s): in words, no retry', async (code, status, words) => {
  const { page } = await open([problem(status, code)]);
  tap(page, 'login');
  await settled(page, 'refused');
  expect(text(page, '#message')).toContain(words);
  expect(page.querySelector('#retry')).toBeUndefined();
});

test('a passing failure (503 wechat_unavailable): Try again logs in again', async () => {
  const { page } = await open([problem(503, 'wechat_unavailable'), signedIn()]);
  tap(page, 'login');
  await settled(page, 'failed');
  expect(text(page, '#message')).toBe('The login service is busy or unavailable for a moment.');
  tap(page, 'retry');
  await settled(page, 'signed_in');
});

test('a failure retrying cannot help (502 wechat_misconfigured): no retry', async () => {
  const { page } = await open([problem(502, 'wechat_misconfigured')]);
  tap(page, 'login');
  await settled(page, 'failed');
  expect(page.querySelector('#retry')).toBeUndefined();
});

test('rate limited: the retry button says how long to wait', async () => {
  const { page } = await open([problem(429, 'rate_limited', { retryAfter: 12 })]);
  tap(page, 'login');
  await settled(page, 'failed');
  expect(text(page, '#retry')).toBe('Try again in 12 s');
});

test('offline: can try again', async () => {
  const { page } = await open(['offline']);
  tap(page, 'login');
  await settled(page, 'failed');
  expect(text(page, '#message')).toBe('Could not reach the login service. Check your connection.');
  expect(page.querySelector('#retry')).toBeDefined();
});

test('Chinese from WeChat', async () => {
  const { wx, page } = await open([signedIn()], { language: 'zh_CN' });
  expect(wx.setNavigationBarTitle).toHaveBeenCalledWith({ title: '登录' });
  expect(text(page, '#login')).toBe('微信登录');
  tap(page, 'login');
  await settled(page, 'signed_in');
  expect(text(page, '#who')).toBe('已登录：Mei');
});
