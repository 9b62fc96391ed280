// @ts-check
// The confirm page: opened by scanning a PC login's code (query scene, q or ticket), it tells who is asking and lets
// the WeChat user confirm or cancel. It keeps only the current ticket's scan token, in its data.
// Built with Component() so that miniprogram-simulate can load it as it loads components (WeChat runs it as a page).
const api = require('../../lib/api.js');
const config = require('../../config.js');
const { texts, language, format, formatWhen } = require('../../lib/i18n.js');
const { fromFailure, fromTicket, fromStatusAfterRefusal } = require('../../lib/outcomes.js');
const { ticketIdFromQuery, ticketIdFromScan } = require('../../lib/ticketLink.js');
const { describeUserAgent } = require('../../lib/userAgent.js');

/** @type {WeakMap<object, number>} the pending "expired while open" timer of each page instance */
const expiryTimers = new WeakMap();
/** @type {WeakSet<object>} page instances that have been left: their binding watch stops */
const left = new WeakSet();

Component({
  data: {
    t: texts('en'),
    lang: 'en',
    /** loading, no_ticket, ask, working, signed_in, cancelled, expired, used, binding, refused, failed */
    state: 'loading',
    ticketId: '',
    scanToken: '',
    expiresAt: '',
    appName: '',
    appLogoUrl: '',
    sourceName: '',
    via: 'web',
    origin: '',
    device: '',
    ip: '',
    when: '',
    offerPhone: false,
    phoneSkipped: false,
    bindingCode: '',
    message: '',
    /** scan: a new scan; ask: back to the question; '' when trying again cannot help */
    retry: '',
    retryLabel: '',
  },

  methods: {
    /** @param {Record<string, string | undefined>} query */
    onLoad(query) {
      const lang = language();
      this.setData({ lang, t: texts(lang) });
      wx.setNavigationBarTitle({ title: texts(lang).title });
      const ticketId = ticketIdFromQuery(query || {});
      if (!ticketId) {
        this.setData({ state: 'no_ticket' });
        return Promise.resolve();
      }
      this.setData({ ticketId });
      return this.begin();
    },

    onUnload() {
      this.stopExpiryTimer();
      left.add(this);
    },

    /** wx.login, then the scan: marks the ticket scanned by this WeChat user and learns who is asking. */
    async begin() {
      this.stopExpiryTimer();
      this.setData({ state: 'loading', scanToken: '', phoneSkipped: false });
      const code = await api.loginCode();
      if (!code) {
        this.showOutcome({ view: 'failed', message: 'wechatCode', retry: 'scan' });
        return;
      }
      const answer = await api.scan(this.data.ticketId, code);
      if (answer.status !== 200 || !answer.data || !answer.data.scanToken) {
        this.showOutcome(await this.explain(answer, 'scan'));
        return;
      }
      /** @type {import('../../lib/types').ScanAnswer} */
      const scan = answer.data;
      const t = this.data.t;
      const { browser, system } = describeUserAgent(scan.requesterUserAgent);
      const via = scan.requestedVia || (scan.requesterOrigin ? 'web' : 'server');
      this.setData({
        state: 'ask',
        scanToken: scan.scanToken,
        appName: scan.appName,
        appLogoUrl: scan.appLogoUrl || '',
        sourceName: scan.identitySourceName,
        via,
        origin: scan.requesterOrigin || '',
        device: (browser || t.unknownBrowser) + (system ? (this.data.lang === 'zh' ? t.on : ' ' + t.on + ' ') + system : ''),
        ip: scan.requesterIp || '',
        when: formatWhen(scan.requestedAt, new Date()),
        offerPhone: config.offerPhoneNumber,
        expiresAt: (scan.ticket && scan.ticket.expiresAt) || '',
      });
      this.startExpiryTimer(this.data.expiresAt);
    },

    onConfirm() {
      return this.move(null, 'confirm');
    },

    /**
     * WeChat's phone-number button: with a code the number is shared; when WeChat refuses (the user denied, the quota is
     * gone: errno 1400001, the mini program may not use it) the login is confirmed without it.
     * @param {{ detail: { code?: string, errMsg?: string, errno?: number } }} event
     */
    onPhoneNumber(event) {
      const detail = (event && event.detail) || {};
      if (detail.code) return this.move(detail.code, 'confirm');
      this.setData({ phoneSkipped: true });
      return this.move(null, 'confirm');
    },

    onCancel() {
      return this.move(null, 'cancel');
    },

    /**
     * @param {string | null} phoneCode
     * @param {'confirm' | 'cancel'} action
     */
    async move(phoneCode, action) {
      if (this.data.state !== 'ask' && !(action === 'cancel' && this.data.state === 'binding')) return;
      this.stopExpiryTimer();
      this.setData({ state: 'working' });
      const { ticketId, scanToken } = this.data;
      const answer = action === 'confirm' ? await api.confirm(ticketId, scanToken, phoneCode) : await api.cancel(ticketId, scanToken);
      const moved = answer.status === 200 && answer.data && answer.data.status;
      this.showOutcome(moved ? fromTicket(answer.data) : await this.explain(answer, 'move'));
      if (moved && answer.data.status === 'binding_required') this.watchBinding(answer.data.version);
    },

    /**
     * While the computer binds, follows the ticket (long-poll) so the page can say when it is done: signed in, or
     * expired, or cancelled. Stops when the page is left or shows something else; three failed reads in a row stop it.
     * @param {number} version
     */
    async watchBinding(version) {
      let failures = 0;
      while (this.data.state === 'binding' && !left.has(this) && failures < 3) {
        const answer = await api.wait(this.data.ticketId, version);
        if (this.data.state !== 'binding' || left.has(this)) return;
        if (answer.status !== 200 || !answer.data || !answer.data.status) {
          failures++;
          await new Promise(resolve => setTimeout(resolve, 2000));
          continue;
        }
        failures = 0;
        version = answer.data.version;
        if (answer.data.status !== 'binding_required') this.showOutcome(fromTicket(answer.data));
      }
    },

    /**
     * The view for a refused scan, confirm or cancel. An expired ticket answers 410 "ticket_expired" (shown as expired
     * directly); "invalid_transition" says only that the ticket is no longer in a state for it, and servers before
     * ticket_expired also answered it for an expired ticket: its status tells whether it expired or was used.
     * @param {import('../../lib/types').HttpAnswer} answer
     * @param {'scan' | 'move'} stage
     */
    async explain(answer, stage) {
      if (answer.data && answer.data.code === 'invalid_transition') return fromStatusAfterRefusal(await api.status(this.data.ticketId));
      return fromFailure(answer, stage);
    },

    onRetry() {
      if (this.data.retry === 'ask' && this.data.scanToken) {
        this.setData({ state: 'ask', message: '', retry: '', phoneSkipped: false });
        this.startExpiryTimer(this.data.expiresAt);
        return Promise.resolve();
      }
      if (this.data.retry) return this.begin();
      return Promise.resolve();
    },

    /** Opened without a code: scan one with the camera. */
    onScanCode() {
      wx.scanCode({
        onlyFromCamera: true,
        success: res => {
          const ticketId = ticketIdFromScan({ path: res.path, result: res.result });
          if (!ticketId) return;
          this.setData({ ticketId });
          this.begin();
        },
      });
    },

    /** @param {import('../../lib/outcomes').Outcome} outcome */
    showOutcome(outcome) {
      const t = this.data.t;
      const finished = outcome.view !== 'failed';
      const binding = outcome.view === 'binding';
      /** @type {Record<string, string>} */
      const messages = outcome.view === 'refused' ? t.refused : t.failed;
      const retry = outcome.retry || '';
      this.setData({
        state: outcome.view === 'binding' ? 'binding' : outcome.view,
        message: outcome.message ? messages[outcome.message] || t.failed.unexpected : '',
        retry,
        retryLabel: retry && outcome.retryAfter ? format(t.retryAfter, outcome.retryAfter) : t.retry,
        bindingCode: binding ? outcome.bindingCode || '' : '',
        // Nothing more can be done with this ticket: forget its scan token (a cancel while binding still needs it).
        scanToken: finished && !binding ? '' : this.data.scanToken,
      });
    },

    /** @param {string | null | undefined} expiresAt */
    startExpiryTimer(expiresAt) {
      const left = expiresAt ? new Date(expiresAt).getTime() - Date.now() : NaN;
      // A phone clock far off the server's could make this negative: then the server's answer tells instead.
      if (!(left > 0)) return;
      expiryTimers.set(this, setTimeout(() => {
        expiryTimers.delete(this);
        if (this.data.state === 'ask') this.showOutcome({ view: 'expired' });
      }, left));
    },

    stopExpiryTimer() {
      const timer = expiryTimers.get(this);
      if (timer !== undefined) clearTimeout(timer);
      expiryTimers.delete(this);
    },
  },
});
