// Loads a page of src/MiniProgram with miniprogram-simulate (its WXML compiled by WeChat's own wcc, from
// miniprogram-compiler, so a template DevTools would refuse fails here too) and replaces wx.* with test doubles.
const path = require('path');
const simulate = require('miniprogram-simulate');

const root = path.resolve(__dirname, '../../../src/MiniProgram/miniprogram');
const config = require(path.join(root, 'config.js'));
const defaults = JSON.parse(JSON.stringify(config));

const TICKET = 'AbCdEfGhIjKlMnOpQrSt_-';

/**
 * wx for one test. routes(method, path, body) answers { status, data } (or 'offline' for a request that fails);
 * every request is recorded in calls.
 */
function fakeWx({ language = 'en', appBaseInfo = true, loginCode = 'login-code-1', routes, scanCode } = {}) {
  const calls = [];
  const wx = {
    calls,
    setNavigationBarTitle: jest.fn(),
    getSystemInfoSync: jest.fn(() => ({ language })),
    login: jest.fn(options => setTimeout(() => (loginCode ? options.success({ code: loginCode, errMsg: 'login:ok' }) : options.fail({ errMsg: 'login:fail' })), 0)),
    request: jest.fn(options => {
      const url = new URL(options.url);
      const call = { method: options.method, path: url.pathname, body: options.data };
      calls.push(call);
      setTimeout(() => {
        const answer = routes ? routes(call.method, call.path, call.body) : undefined;
        if (!answer || answer === 'offline') options.fail({ errMsg: 'request:fail timeout' });
        else options.success({ statusCode: answer.status, data: answer.data, header: {}, errMsg: 'request:ok' });
      }, 0);
    }),
    scanCode: jest.fn(options => setTimeout(() => options.success(scanCode), 0)),
    setStorage: jest.fn(() => { throw new Error('the mini program stores nothing'); }),
    setStorageSync: jest.fn(() => { throw new Error('the mini program stores nothing'); }),
  };
  if (appBaseInfo) wx.getAppBaseInfo = jest.fn(() => ({ language }));
  global.wx = wx;
  return wx;
}

// Jest keeps its own module registry, so a page's code runs (and registers) once per test file: load once, render often.
const loaded = {};

/** Loads (once) and renders a page; the caller then runs its onLoad with a query. */
function render(page) {
  const id = loaded[page] || (loaded[page] = simulate.load(path.join(root, 'pages', page, page), { rootPath: root, compiler: 'official' }));
  const comp = simulate.render(id);
  comp.attach(document.createElement('parent-wrapper'));
  return comp;
}

/** Lets pending timers and promises run until the condition holds; fails saying what the page showed. */
async function until(comp, condition, what) {
  for (let i = 0; i < 200; i++) {
    if (condition(comp.data)) return;
    await new Promise(resolve => setTimeout(resolve, 0));
  }
  throw new Error(`${what} never happened; the page is in state ${comp.data.state}: ${text(comp)}`);
}

/** The text the page shows, whitespace collapsed. */
function text(comp, selector) {
  const node = selector ? comp.querySelector(selector) : comp;
  return node ? node.dom.textContent.replace(/\s+/g, ' ').trim() : null;
}

function resetConfig() {
  Object.assign(config, JSON.parse(JSON.stringify(defaults)));
}

module.exports = { root, config, TICKET, fakeWx, render, until, text, resetConfig };
