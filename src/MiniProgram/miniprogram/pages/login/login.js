// @ts-check
// Login inside the mini program (POST /api/mini-program/login): the pool's tokens for the same account a PC scan finds.
// The tokens stay in memory (lib/session.js); nothing is stored.
const api = require('../../lib/api.js');
const config = require('../../config.js');
const session = require('../../lib/session.js');
const { texts, language, format } = require('../../lib/i18n.js');
const { fromFailure } = require('../../lib/outcomes.js');

Component({
  data: {
    t: texts('en'),
    lang: 'en',
    /** ready, working, signed_in, binding, refused, failed */
    state: 'ready',
    offerPhone: false,
    who: '',
    canRegister: false,
    phoneShared: false,
    message: '',
    retry: false,
    retryLabel: '',
  },

  methods: {
    onLoad() {
      const lang = language();
      const t = texts(lang);
      this.setData({ lang, t, offerPhone: config.offerPhoneNumber });
      wx.setNavigationBarTitle({ title: t.login.title });
      const current = session.current();
      if (current) this.showSignedIn(current.user);
    },

    onLogin() {
      return this.login(null);
    },

    /**
     * Logs in sharing the phone number (a source matching accounts by phone finds the account by it; a new account gets
     * it). When WeChat refuses the number (denied, errno 1400001, not allowed) the login goes on without it.
     * @param {{ detail: { code?: string, errMsg?: string, errno?: number } }} event
     */
    onPhoneNumber(event) {
      const detail = (event && event.detail) || {};
      return this.login(detail.code || null);
    },

    onRetry() {
      return this.login(null);
    },

    onSignOut() {
      session.set(null);
      this.setData({ state: 'ready', who: '' });
    },

    /** @param {string | null} phoneCode */
    async login(phoneCode) {
      if (this.data.state === 'working') return;
      this.setData({ state: 'working', message: '' });
      const loginCode = await api.loginCode();
      if (!loginCode) {
        this.showFailure({ status: 400, data: { code: 'wechat_code_invalid' } });
        return;
      }
      const body = Object.assign({}, config.login, { loginCode }, phoneCode ? { phoneCode } : {});
      const answer = await api.login(body);
      const data = answer.data || {};
      if (answer.status === 200 && data.status === 'signed_in' && data.user && data.accessToken) {
        session.set({ user: data.user, idToken: data.idToken, accessToken: data.accessToken, tokenType: data.tokenType, expiresAt: data.expiresAt });
        this.showSignedIn(data.user);
      } else if (answer.status === 200 && data.status === 'binding_required') {
        this.setData({ state: 'binding', canRegister: !!data.canRegister, phoneShared: !!data.phoneShared });
      } else {
        this.showFailure(answer);
      }
    },

    /** @param {{ id: string, nickname?: string | null, phone?: string | null }} user */
    showSignedIn(user) {
      this.setData({ state: 'signed_in', who: format(this.data.t.login.signedIn, user.nickname || user.phone || user.id) });
    },

    /** @param {import('../../lib/types').HttpAnswer} answer */
    showFailure(answer) {
      const t = this.data.t;
      const outcome = fromFailure(answer, 'scan');
      // No ticket here: "expired" or "used" can only be a WeChat code gone stale; logging in again fixes it.
      const view = outcome.view === 'refused' ? 'refused' : 'failed';
      /** @type {Record<string, string>} */
      const messages = view === 'refused' ? t.refused : t.failed;
      const retry = view === 'failed' && (outcome.view !== 'failed' || !!outcome.retry);
      this.setData({
        state: view,
        message: (outcome.message && messages[outcome.message]) || t.failed.unexpected,
        retry,
        retryLabel: retry && outcome.retryAfter ? format(t.retryAfter, outcome.retryAfter) : t.retry,
      });
    },
  },
});
