// @ts-check
// The login page's result, in memory only: never written to storage, gone when the mini program is closed. Other pages of
// a deployer's mini program read it (current()) to call their own backend with the access token.

/**
 * @typedef {{ user: { id: string, nickname?: string | null, phone?: string | null }, idToken: string, accessToken: string, tokenType: string, expiresAt: string }} Session
 */

/** @type {Session | null} */
let session = null;

module.exports = {
  /** @returns {Session | null} the signed-in session, or null (also once it has expired) */
  current: () => (session && new Date(session.expiresAt).getTime() > Date.now() ? session : null),
  /** @param {Session | null} value */
  set: value => { session = value; },
};
