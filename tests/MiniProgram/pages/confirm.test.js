// The confirm page with wx.* mocked: the three ways in, what it shows, both buttons, the phone-number button's paths,
// every state after, both languages.
const { config, TICKET, fakeWx, render, until, text, resetConfig } = require('./harness');

const SCAN_TOKEN = 'scan-token-1';
const BASE = `/api/mini-program/tickets/${TICKET}`;
const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

function scanAnswer(overrides = {}) {
  return {
    status: 200,
    data: Object.assign({
      ticket: { ticketId: TICKET, status: 'scanned', version: 2, expiresAt: new Date(Date.now() + 100000).toISOString() },
      scanToken: SCAN_TOKEN,
      appName: 'Shop',
      appLogoUrl: 'https://shop.example/logo.png',
      identitySourceName: 'WeChat scan',
      requesterIp: '203.0.113.7',
      requesterUserAgent: CHROME_WINDOWS,
      requestedAt: new Date().toISOString(),
      requesterOrigin: 'https://shop.example',
      requestedVia: 'web',
    }, overrides),
  };
}

const ticket = (status, extra = {}) => ({ status: 200, data: Object.assign({ ticketId: TICKET, status, version: 3 }, extra) });
const problem = (status, code, extra = {}) => ({ status, data: Object.assign({ status, code, title: 'x', detail: 'x' }, extra) });

/** Routes for a page whose scan succeeds and whose confirm / cancel answer as given. */
function routes({ scan = () => scanAnswer(), confirm = () => ticket('confirmed'), cancel = () => ticket('cancelled'), status = () => ticket('scanned'),
  wait = () => ticket('binding_required') } = {}) {
  return (method, path, body) => {
    if (method === 'GET' && path === `/api/tickets/${TICKET}`) return status();
    if (method === 'GET' && path === `/api/tickets/${TICKET}/wait`) return wait();
    if (method !== 'POST') return undefined;
    if (path === `${BASE}/scan`) return scan(body);
    if (path === `${BASE}/confirm`) return confirm(body);
    if (path === `${BASE}/cancel`) return cancel(body);
    return undefined;
  };
}

async function open(query, wxOptions = {}) {
  const wx = fakeWx(Object.assign({ routes: routes() }, wxOptions));
  const page = render('confirm');
  await page.instance.onLoad(query);
  return { wx, page };
}

const tap = (page, id) => page.querySelector(`#${id}`).dispatchEvent('tap');
const phone = (page, detail) => page.querySelector('#confirm-phone').dispatchEvent('getphonenumber', { detail });
const settled = (page, state) => until(page, d => d.state === state, `the ${state} view`);

beforeEach(resetConfig);
afterEach(() => jest.useRealTimers());

describe('the ways in', () => {
  test('a mini-program code: the decoded scene is the ticket id', async () => {
    const { wx, page } = await open({ scene: encodeURIComponent(TICKET) });
    expect(wx.login).toHaveBeenCalledTimes(1);
    expect(wx.calls[0]).toEqual({ method: 'POST', path: `${BASE}/scan`, body: { loginCode: 'login-code-1' } });
    expect(page.data.state).toBe('ask');
  });

  test('an ordinary QR code: the ticket id ends the encoded link in q', async () => {
    const { wx, page } = await open({ q: encodeURIComponent(`https://mp.scanlogin.example/s/${TICKET}`), scancode_time: '1765000000' });
    expect(wx.calls[0].path).toBe(`${BASE}/scan`);
    expect(page.data.state).toBe('ask');
  });

  test('a link with the ticket id', async () => {
    const { wx, page } = await open({ ticket: TICKET });
    expect(wx.calls[0].path).toBe(`${BASE}/scan`);
    expect(page.data.state).toBe('ask');
  });

  test('no ticket (or a malformed one): asks to scan the code, and a scanned code starts the login', async () => {
    const { wx, page } = await open({ scene: 'not-a-ticket' }, { scanCode: { result: `https://mp.scanlogin.example/s/${TICKET}`, scanType: 'QR_CODE' } });
    expect(page.data.state).toBe('no_ticket');
    expect(wx.login).not.toHaveBeenCalled();
    expect(text(page, '#no-ticket')).toContain('Scan the code shown on your computer');
    tap(page, 'scan');
    await settled(page, 'ask');
    expect(wx.calls.map(c => c.path)).toEqual([`${BASE}/scan`]);
  });

  test('a mini-program code read by the scan button: the scene in its path', async () => {
    const { page } = await open({}, { scanCode: { path: `pages/confirm/confirm?scene=${encodeURIComponent(TICKET)}`, scanType: 'WX_CODE' } });
    tap(page, 'scan');
    await settled(page, 'ask');
    expect(page.data.ticketId).toBe(TICKET);
  });
});

describe('who is asking', () => {
  test('a web page: application name and logo, identity source, origin, browser and OS in words, IP, when', async () => {
    const { page } = await open({ ticket: TICKET });
    expect(text(page, '#app-name')).toBe('Shop');
    // miniprogram-simulate's <image> keeps no src attribute: the element is there, bound to the answer's URL
    expect(page.querySelector('#app-logo')).toBeDefined();
    expect(page.data.appLogoUrl).toBe('https://shop.example/logo.png');
    expect(text(page, '#source-name')).toBe('with WeChat scan');
    expect(text(page, '#requested-via')).toBe('https://shop.example');
    expect(text(page, '#device')).toBe('Chrome 120 on Windows');
    expect(text(page, '#ip')).toBe('203.0.113.7');
    expect(text(page, '#when')).toMatch(/^\d\d:\d\d:\d\d$/);
  });

  test("the application's server and the hosted login page are named as such", async () => {
    const server = await open({ ticket: TICKET }, { routes: routes({ scan: () => scanAnswer({ requestedVia: 'server', requesterOrigin: null }) }) });
    expect(text(server.page, '#requested-via')).toBe("the application's server");
    const hosted = await open({ ticket: TICKET }, { routes: routes({ scan: () => scanAnswer({ requestedVia: 'hosted_login', requesterOrigin: 'https://login.example' }) }) });
    expect(text(hosted.page, '#requested-via')).toBe('the hosted login page');
  });

  test('an answer without appLogoUrl and requestedVia (an older server): no logo, the origin decides web or server', async () => {
    const answer = scanAnswer({ requesterOrigin: null, requesterUserAgent: null, requesterIp: null });
    delete answer.data.appLogoUrl;
    delete answer.data.requestedVia;
    const { page } = await open({ ticket: TICKET }, { routes: routes({ scan: () => answer }) });
    expect(page.querySelector('#app-logo')).toBeUndefined();
    expect(text(page, '#requested-via')).toBe("the application's server");
    expect(text(page, '#device')).toBe('an unknown browser');
    expect(page.querySelector('#ip')).toBeUndefined();
  });
});

describe('the buttons', () => {
  test('Confirm sends the scan token without a phone code and ends "signed in on your computer"', async () => {
    const { wx, page } = await open({ ticket: TICKET });
    tap(page, 'confirm');
    await settled(page, 'signed_in');
    expect(wx.calls[1]).toEqual({ method: 'POST', path: `${BASE}/confirm`, body: { scanToken: SCAN_TOKEN } });
    expect(text(page, '#signed-in')).toContain('You are signed in on your computer.');
    expect(page.querySelector('#phone-skipped')).toBeUndefined();
  });

  test('Cancel sends the scan token to cancel and says nobody was signed in', async () => {
    const { wx, page } = await open({ ticket: TICKET });
    tap(page, 'cancel');
    await settled(page, 'cancelled');
    expect(wx.calls[1]).toEqual({ method: 'POST', path: `${BASE}/cancel`, body: { scanToken: SCAN_TOKEN } });
    expect(text(page, '#cancelled')).toBe('Login cancelled. Nobody was signed in.');
  });

  test('a second tap while the first is under way sends nothing more', async () => {
    const { wx, page } = await open({ ticket: TICKET });
    tap(page, 'confirm');
    tap(page, 'confirm');
    tap(page, 'cancel');
    await settled(page, 'signed_in');
    expect(wx.calls.map(c => c.path)).toEqual([`${BASE}/scan`, `${BASE}/confirm`]);
  });

  test('the scan token is forgotten once the ticket is finished, and nothing is stored', async () => {
    const { wx, page } = await open({ ticket: TICKET });
    expect(page.data.scanToken).toBe(SCAN_TOKEN);
    tap(page, 'confirm');
    await settled(page, 'signed_in');
    expect(page.data.scanToken).toBe('');
    expect(wx.setStorage).not.toHaveBeenCalled();
    expect(wx.setStorageSync).not.toHaveBeenCalled();
  });
});

describe('the phone-number button', () => {
  test('allowed: the phone code goes with the confirm', async () => {
    const { wx, page } = await open({ ticket: TICKET });
    phone(page, { errMsg: 'getPhoneNumber:ok', code: 'phone-code-1' });
    await settled(page, 'signed_in');
    expect(wx.calls[1].body).toEqual({ scanToken: SCAN_TOKEN, phoneCode: 'phone-code-1' });
  });

  test.each([
    ['the user denies', { errMsg: 'getPhoneNumber:fail user deny' }],
    ['the quota is used up (errno 1400001)', { errMsg: 'getPhoneNumber:fail no permission', errno: 1400001 }],
    ['the mini program may not use it', { errMsg: 'getPhoneNumber:fail no permission' }],
  ])('%s: the login is confirmed without the number, and the page says so', async (_, detail) => {
    const { wx, page } = await open({ ticket: TICKET });
    phone(page, detail);
    await settled(page, 'signed_in');
    expect(wx.calls[1].body).toEqual({ scanToken: SCAN_TOKEN });
    expect(text(page, '#phone-skipped')).toBe('Your phone number was not shared.');
  });

  test('a mini program that cannot offer it shows only Confirm and Cancel', async () => {
    config.offerPhoneNumber = false;
    const { page } = await open({ ticket: TICKET });
    expect(page.querySelector('#confirm-phone')).toBeUndefined();
    expect(page.querySelector('#confirm')).toBeDefined();
  });
});

describe('after', () => {
  test('the ticket expires while the page is open: expired, with a hint to refresh the code, and no confirm is sent', async () => {
    jest.useFakeTimers();
    const expiresAt = new Date(Date.now() + 60000).toISOString();
    const wx = fakeWx({ routes: routes({ scan: () => scanAnswer({ ticket: { ticketId: TICKET, status: 'scanned', version: 2, expiresAt } }) }) });
    const page = render('confirm');
    const loading = page.instance.onLoad({ ticket: TICKET });
    await jest.advanceTimersByTimeAsync(10);
    await loading;
    expect(page.data.state).toBe('ask');
    await jest.advanceTimersByTimeAsync(59000);
    expect(page.data.state).toBe('ask');
    await jest.advanceTimersByTimeAsync(1000);
    expect(page.data.state).toBe('expired');
    expect(text(page, '#expired')).toBe('This code has expired.Refresh the code on your computer and scan it again.');
    expect(page.querySelector('#confirm')).toBeUndefined();
    expect(wx.calls.map(c => c.path)).toEqual([`${BASE}/scan`]);
  });

  test('leaving the page stops the expiry timer', async () => {
    jest.useFakeTimers();
    fakeWx({ routes: routes() });
    const page = render('confirm');
    const loading = page.instance.onLoad({ ticket: TICKET });
    await jest.advanceTimersByTimeAsync(10);
    await loading;
    page.instance.onUnload();
    expect(jest.getTimerCount()).toBe(0);
  });

  test('the server says the ticket expired (410 ticket_expired) when Confirm is tapped', async () => {
    const { page } = await open({ ticket: TICKET }, { routes: routes({ confirm: () => problem(410, 'ticket_expired') }) });
    tap(page, 'confirm');
    await settled(page, 'expired');
  });

  test.each([
    ['scan', null],
    ['confirm', 'confirm'],
    ['cancel', 'cancel'],
  ])('a %s answered 410 ticket_expired shows expired from that answer alone, without reading the ticket status', async (move, button) => {
    const expired = () => problem(410, 'ticket_expired');
    const { wx, page } = await open({ ticket: TICKET }, { routes: routes({ [move]: expired, status: () => ticket('consumed') }) });
    if (button) tap(page, button);
    await settled(page, 'expired');
    expect(text(page, '#expired')).toContain('Refresh the code on your computer');
    expect(wx.calls.map(c => `${c.method} ${c.path}`)).toEqual(button ? [`POST ${BASE}/scan`, `POST ${BASE}/${move}`] : [`POST ${BASE}/scan`]);
  });

  test('a code another WeChat user scanned first (409 ticket_already_scanned): already used, with what to do if it was not you', async () => {
    const { page } = await open({ ticket: TICKET }, { routes: routes({ scan: () => problem(409, 'ticket_already_scanned') }) });
    expect(page.data.state).toBe('used');
    expect(text(page, '#used')).toContain('This code has already been used.');
  });

  test.each([
    ['expired', 'expired'],
    ['consumed', 'used'],
    ['cancelled', 'cancelled'],
  ])('a scan refused as invalid_transition (an older server) asks the ticket status: %s shows %s', async (status, view) => {
    const { wx, page } = await open({ ticket: TICKET }, { routes: routes({ scan: () => problem(409, 'invalid_transition'), status: () => ticket(status) }) });
    expect(page.data.state).toBe(view);
    expect(wx.calls.map(c => `${c.method} ${c.path}`)).toEqual([`POST ${BASE}/scan`, `GET /api/tickets/${TICKET}`]);
  });

  test('a confirm refused as invalid_transition by an older server because the ticket expired meanwhile shows expired, not used', async () => {
    const { page } = await open({ ticket: TICKET }, { routes: routes({ confirm: () => problem(409, 'invalid_transition'), status: () => ticket('expired') }) });
    tap(page, 'confirm');
    await settled(page, 'expired');
    expect(text(page, '#expired')).toContain('Refresh the code on your computer');
  });

  test('binding required: the binding code is shown large with "type this code on your computer"; Cancel still works', async () => {
    const { wx, page } = await open({ ticket: TICKET }, { routes: routes({ confirm: () => ticket('binding_required', { bindingCode: '042917' }) }) });
    tap(page, 'confirm');
    await settled(page, 'binding');
    expect(text(page, '#binding-code')).toBe('042917');
    expect(text(page, '#binding')).toContain('Type this code on your computer to link your WeChat');
    expect(text(page, '#binding')).toContain('This page moves on by itself when your computer is done.');
    tap(page, 'cancel');
    await settled(page, 'cancelled');
    expect(wx.calls.filter(c => c.method === 'POST').slice(1)).toEqual([
      { method: 'POST', path: `${BASE}/confirm`, body: { scanToken: SCAN_TOKEN } },
      { method: 'POST', path: `${BASE}/cancel`, body: { scanToken: SCAN_TOKEN } },
    ]);
  });

  test.each([
    ['confirmed', 'signed_in'],
    ['expired', 'expired'],
    ['cancelled', 'cancelled'],
  ])('while the computer binds the page follows the ticket: %s shows %s', async (status, view) => {
    let waits = 0;
    const { wx, page } = await open({ ticket: TICKET }, { routes: routes({
      confirm: () => ticket('binding_required', { bindingCode: '042917' }),
      wait: () => (++waits < 2 ? ticket('binding_required') : ticket(status, { version: 4 })),
    }) });
    tap(page, 'confirm');
    await settled(page, view);
    expect(wx.calls.filter(c => c.path === `/api/tickets/${TICKET}/wait`)).toHaveLength(2);
  });

  test('leaving the page while the computer binds stops following the ticket', async () => {
    const { wx, page } = await open({ ticket: TICKET }, { routes: routes({ confirm: () => ticket('binding_required', { bindingCode: '042917' }) }) });
    tap(page, 'confirm');
    await settled(page, 'binding');
    await until(page, () => wx.calls.some(c => c.path.endsWith('/wait')), 'a first wait');
    page.instance.onUnload();
    const waits = wx.calls.length;
    for (let i = 0; i < 20; i++) await new Promise(resolve => setTimeout(resolve, 0));
    expect(wx.calls.length).toBeLessThanOrEqual(waits + 1);
  });

  test.each([
    ['account_not_found', 'No account on this site is linked to your WeChat'],
    ['user_blocked', 'Your account on this site is blocked'],
    ['phone_number_in_use', 'That phone number already belongs to another account'],
  ])('refused by the pool (rejected: %s): said in words, no retry', async (reason, words) => {
    const { page } = await open({ ticket: TICKET }, { routes: routes({ confirm: () => ticket('rejected', { reason }) }) });
    tap(page, 'confirm');
    await settled(page, 'refused');
    expect(text(page, '#message')).toContain(words);
    expect(page.querySelector('#retry')).toBeUndefined();
  });

  test('refused with a problem answer (403 wechat_user_blocked at the scan)', async () => {
    const { page } = await open({ ticket: TICKET }, { routes: routes({ scan: () => problem(403, 'wechat_user_blocked') }) });
    expect(page.data.state).toBe('refused');
    expect(text(page, '#message')).toBe('WeChat does not allow this account to log in here right now.');
  });

  test.each([
    ['wechat_misconfigured', 502, 'This login is not set up correctly'],
    ['identity_source_disabled', 403, 'This way of logging in is turned off'],
    ['validation_failed', 400, 'Something went wrong with this login'],
  ])('a failure retrying cannot help (%s): no retry button', async (code, status, words) => {
    const { page } = await open({ ticket: TICKET }, { routes: routes({ scan: () => problem(status, code) }) });
    expect(page.data.state).toBe('failed');
    expect(text(page, '#message')).toContain(words);
    expect(page.querySelector('#retry')).toBeUndefined();
  });

  test.each([
    ['wechat_unavailable', 503, 'The login service is busy or unavailable'],
    ['wechat_code_used', 409, 'WeChat could not confirm who you are'],
    ['wechat_code_invalid', 400, 'WeChat could not confirm who you are'],
  ])('a scan failure retrying helps (%s): Try again logs in to WeChat again and scans', async (code, status, words) => {
    let scans = 0;
    const { wx, page } = await open({ ticket: TICKET }, { routes: routes({ scan: () => (++scans === 1 ? problem(status, code) : scanAnswer()) }) });
    expect(page.data.state).toBe('failed');
    expect(text(page, '#message')).toContain(words);
    tap(page, 'retry');
    await settled(page, 'ask');
    expect(wx.login).toHaveBeenCalledTimes(2);
  });

  test('rate limited: the retry button says how long to wait', async () => {
    const { page } = await open({ ticket: TICKET }, { routes: routes({ scan: () => problem(429, 'rate_limited', { retryAfter: 30 }) }) });
    expect(text(page, '#message')).toBe('Too many attempts. Wait a little before trying again.');
    expect(text(page, '#retry')).toBe('Try again in 30 s');
  });

  test('no answer to Confirm (offline): Try again goes back to the question and a second Confirm signs in', async () => {
    let confirms = 0;
    const { wx, page } = await open({ ticket: TICKET }, { routes: routes({ confirm: () => (++confirms === 1 ? 'offline' : ticket('confirmed')) }) });
    tap(page, 'confirm');
    await settled(page, 'failed');
    expect(text(page, '#message')).toBe('Could not reach the login service. Check your connection.');
    tap(page, 'retry');
    await settled(page, 'ask');
    tap(page, 'confirm');
    await settled(page, 'signed_in');
    expect(wx.login).toHaveBeenCalledTimes(1);
    expect(wx.calls.map(c => c.path)).toEqual([`${BASE}/scan`, `${BASE}/confirm`, `${BASE}/confirm`]);
  });

  test('back at the question after a failed confirm, the ticket can still expire while the page is open', async () => {
    jest.useFakeTimers();
    const expiresAt = new Date(Date.now() + 60000).toISOString();
    const wx = fakeWx({ routes: routes({
      scan: () => scanAnswer({ ticket: { ticketId: TICKET, status: 'scanned', version: 2, expiresAt } }),
      confirm: () => problem(503, 'wechat_unavailable'),
    }) });
    const page = render('confirm');
    const loading = page.instance.onLoad({ ticket: TICKET });
    await jest.advanceTimersByTimeAsync(10);
    await loading;
    tap(page, 'confirm');
    await jest.advanceTimersByTimeAsync(10);
    expect(page.data.state).toBe('failed');
    tap(page, 'retry');
    await jest.advanceTimersByTimeAsync(10);
    expect(page.data.state).toBe('ask');
    await jest.advanceTimersByTimeAsync(60000);
    expect(page.data.state).toBe('expired');
    expect(wx.calls.map(c => c.path)).toEqual([`${BASE}/scan`, `${BASE}/confirm`]);
  });

  test('WeChat gives no login code: the page says so and can try again', async () => {
    const { wx, page } = await open({ ticket: TICKET }, { loginCode: null });
    expect(page.data.state).toBe('failed');
    expect(page.querySelector('#retry')).toBeDefined();
    expect(wx.calls).toEqual([]);
  });
});

describe('languages', () => {
  test('Chinese from wx.getAppBaseInfo: the question, the buttons and the result', async () => {
    const { wx, page } = await open({ ticket: TICKET }, { language: 'zh_CN' });
    expect(wx.setNavigationBarTitle).toHaveBeenCalledWith({ title: '确认登录' });
    expect(text(page, '#confirm')).toBe('确认登录');
    expect(text(page, '#cancel')).toBe('取消');
    expect(text(page, '#confirm-phone')).toBe('共享手机号并确认');
    expect(text(page, '#device')).toBe('Chrome 120，Windows');
    tap(page, 'confirm');
    await settled(page, 'signed_in');
    expect(text(page, '#signed-in')).toContain('电脑端已登录。');
  });

  test('Chinese from wx.getSystemInfoSync where getAppBaseInfo is missing (an older WeChat), with a refusal in words', async () => {
    const { page } = await open({ ticket: TICKET }, { language: 'zh_TW', appBaseInfo: false, routes: routes({ scan: () => problem(410, 'ticket_expired') }) });
    expect(text(page, '#expired')).toBe('二维码已过期。请在电脑上刷新二维码后重新扫描。');
  });

  test('English for any other language', async () => {
    const { wx, page } = await open({ ticket: TICKET }, { language: 'fr' });
    expect(wx.setNavigationBarTitle).toHaveBeenCalledWith({ title: 'Confirm login' });
    expect(text(page, '#confirm')).toBe('Confirm login');
  });
});
