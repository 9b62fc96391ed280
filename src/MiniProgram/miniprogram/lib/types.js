// @ts-check
// Shapes shared by the pages (JSDoc only; checked by tsc --noEmit in tests/MiniProgram).

/**
 * @typedef {object} MiniProgramConfig
 * @property {string} baseUrl ScanLogin's front end, without a trailing slash.
 * @property {boolean} offerPhoneNumber Show WeChat's phone-number button on the confirm page.
 * @property {{ poolId: string, identitySource: string, appId: string }} login What pages/login/login signs in to.
 * @property {{ url: string, appId: string, openId: string } | null} devEmulator Development only: login codes from the WeChat emulator.
 */

/**
 * @typedef {object} TicketView
 * @property {string} ticketId
 * @property {string} status pending, scanned, binding_required, confirmed, cancelled, rejected, expired, consumed
 * @property {number} version
 * @property {string | null} [expiresAt]
 * @property {string | null} [reason]
 */

/**
 * The scan answer (POST /api/mini-program/tickets/{id}/scan). appLogoUrl and requestedVia may be absent.
 * @typedef {object} ScanAnswer
 * @property {TicketView} ticket
 * @property {string} scanToken
 * @property {string} appName
 * @property {string | null} [appLogoUrl]
 * @property {string} identitySourceName
 * @property {string | null} [requesterIp]
 * @property {string | null} [requesterUserAgent]
 * @property {string} requestedAt
 * @property {string | null} [requesterOrigin]
 * @property {'web' | 'server' | 'hosted_login' | string | null} [requestedVia]
 */

/**
 * A confirm or cancel answer: the ticket, plus the binding code when it waits for binding (contract 1).
 * @typedef {TicketView & { bindingCode?: string | null }} MoveAnswer
 */

/**
 * An answer from ScanLogin: the HTTP status and the parsed body; status 0 when the request never got an answer.
 * @typedef {{ status: number, data: any }} HttpAnswer
 */

module.exports = {};
