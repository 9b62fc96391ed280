// The confirm page at 320 px wide (the smallest phone WeChat runs on): each state rendered from the page's own WXML
// (compiled by WeChat's wcc through miniprogram-simulate, driven by the page's own code with wx.* mocked), styled by
// app.wxss + confirm.wxss with rpx converted as WeChat does on a 320 px screen (750 rpx = the screen's width), then laid
// out by headless Chromium: fails when anything reaches past the screen's edge, and saves each picture under
// docs/miniprogram/. Run: npm run screens (needs /usr/bin/chromium or CHROMIUM). Not in deploy/test.sh's page tests.
//
// What is not WeChat's: the built-in components' own default styles (view, text, button, image) are approximated
// below from WeChat's documented "style v2" (WeUI) button and block views; the fonts are this machine's; the
// navigation bar is not drawn. The page's own layout rules are exactly its WXSS.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { config, TICKET, fakeWx, render, until, resetConfig } = require('../pages/harness');

const WIDTH = 320; // the iPhone SE (1st generation) and the smallest Android phones: 320 x 568 CSS px
const root = path.resolve(__dirname, '../../../src/MiniProgram/miniprogram');
const out = path.resolve(__dirname, '../../../docs/miniprogram');
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const run = fs.existsSync(chromium) ? test : test.skip;

/** WXSS -> CSS for a screen WIDTH px wide: rpx scaled by WIDTH/750, WXML's tags as miniprogram-simulate renders them. */
function css(wxss) {
  return wxss
    .replace(/(-?\d*\.?\d+)rpx/g, (_, n) => `${(Number(n) * WIDTH / 750).toFixed(3)}px`)
    .replace(/(^|[\s,{}>+~])(page|view|text|button|image)(?=[\s,.:{#[>+~])/g, (_, before, tag) => `${before}${tag === 'page' ? 'body' : 'wx-' + tag}`);
}

const BASE = `
  html, body { margin: 0; width: ${WIDTH}px; font-family: -apple-system, "PingFang SC", "Noto Sans CJK SC", "Droid Sans Fallback", "DejaVu Sans", sans-serif; }
  wx-view { display: block; }
  wx-text { display: inline; white-space: pre-wrap; }
  wx-image { display: inline-block; overflow: hidden; width: 320px; height: 240px; background: #dfe3e8; }
  wx-button { position: relative; display: block; box-sizing: border-box; width: 184px; margin: 0 auto; padding: 8px 24px;
    font-size: 17px; font-weight: 700; line-height: 1.41176471; text-align: center; border-radius: 8px; overflow: hidden;
    color: #000; background-color: #f2f2f2; }
`;

/** Marks what reaches past the screen's right edge; Chromium's --dump-dom then reports it. */
const PROBE = `<script>
addEventListener('load', () => {
  const over = [];
  for (const el of document.querySelectorAll('main *')) {
    const r = el.getBoundingClientRect();
    if (r.right > ${WIDTH} + 0.5 || el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible')
      over.push(el.tagName.toLowerCase() + '.' + el.className + ' right=' + r.right.toFixed(1) + ' "' + el.textContent.slice(0, 40) + '"');
  }
  document.body.setAttribute('data-overflow', JSON.stringify(over));
  document.body.setAttribute('data-height', String(Math.ceil(document.querySelector('main').getBoundingClientRect().bottom)));
});
</script>`;

const styles = css(fs.readFileSync(path.join(root, 'app.wxss'), 'utf8') + '\n' + fs.readFileSync(path.join(root, 'pages/confirm/confirm.wxss'), 'utf8'));

function html(page) {
  const body = page.dom.outerHTML.replace(/class="([^"]*)"/g, (_, classes) => `class="${classes.replace(/\bmain--/g, '')}"`);
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=${WIDTH}"><style>${BASE}${styles}</style>${PROBE}</head><body>${body}</body></html>`;
}

function shoot(name, page) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-screens-'));
  try {
    const file = path.join(dir, `${name}.html`);
    fs.writeFileSync(file, html(page));
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${path.join(dir, 'profile')}`];
    const dom = execFileSync(chromium, [...flags, `--window-size=${WIDTH},800`, '--dump-dom', `file://${file}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const overflow = JSON.parse((/data-overflow="([^"]*)"/.exec(dom) || [, '[]'])[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
    const height = Number((/data-height="(\d+)"/.exec(dom) || [, '800'])[1]);
    execFileSync(chromium, [...flags, `--window-size=${WIDTH},${Math.max(height + 16, 568)}`, `--screenshot=${path.join(out, `confirm-${name}.png`)}`, `file://${file}`],
      { stdio: 'ignore' });
    return overflow;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const LONG_APP = 'Shanghai Pudong International Logistics Customer Portal';
const LONG_ORIGIN = 'https://customer-portal.logistics.pudong-international.example.com.cn';
const scanAnswer = (overrides = {}) => ({
  status: 200,
  data: Object.assign({
    ticket: { ticketId: TICKET, status: 'scanned', version: 2, expiresAt: new Date(Date.now() + 100000).toISOString() },
    scanToken: 'scan-token-1', appName: LONG_APP, appLogoUrl: 'https://shop.example/logo.png', identitySourceName: 'WeChat scan (company mini program)',
    requesterIp: '2001:db8:85a3:8d3:1319:8a2e:370:7348',
    requesterUserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0',
    requestedAt: new Date().toISOString(), requesterOrigin: LONG_ORIGIN, requestedVia: 'web',
  }, overrides),
});

/** The states a person can see, each reached through the page's own code. */
const STATES = [
  ['ask', async () => {}],
  ['no_ticket', null],
  ['signed_in', page => page.instance.showOutcome({ view: 'signed_in' })],
  ['cancelled', page => page.instance.showOutcome({ view: 'cancelled' })],
  ['expired', page => page.instance.showOutcome({ view: 'expired' })],
  ['used', page => page.instance.showOutcome({ view: 'used' })],
  ['binding', page => page.instance.showOutcome({ view: 'binding', bindingCode: '042917' })],
  ['refused', page => page.instance.showOutcome({ view: 'refused', message: 'blocked' })],
  ['failed', page => page.instance.showOutcome({ view: 'failed', message: 'busy', retry: 'scan', retryAfter: 30 })],
];

beforeEach(resetConfig);

describe.each([['en', 'en'], ['zh_CN', 'zh']])('at %s, 320 px wide', (language, suffix) => {
  run.each(STATES)('%s fits the screen', async (state, drive) => {
    fakeWx({ language, routes: (method, p) => (method === 'POST' && p.endsWith('/scan') ? scanAnswer() : undefined) });
    const page = render('confirm');
    await page.instance.onLoad(drive ? { ticket: TICKET } : { scene: 'not-a-ticket' });
    if (drive) {
      await until(page, d => d.state === 'ask', 'the question');
      await drive(page);
    }
    expect(page.data.state).toBe(state);
    const overflow = shoot(`${state}-${suffix}`, page);
    page.instance.onUnload();
    expect(overflow).toEqual([]);
  }, 60000);
});
