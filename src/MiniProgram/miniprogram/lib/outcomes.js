// @ts-check
// What the confirm page shows after an answer from ScanLogin: one view per ticket status, and one per stable failure
// `code` (src/Grains.Interfaces/FailureCodes.cs), with a retry only where trying again can help.

/**
 * @typedef {'signed_in' | 'cancelled' | 'expired' | 'used' | 'binding' | 'refused' | 'failed'} ResultView
 * @typedef {'scan' | 'ask' | null} Retry  scan: a new wx.login and scan; ask: back to the question (the scan still holds)
 * @typedef {{ view: ResultView, message?: string, retry?: Retry, retryAfter?: number, bindingCode?: string | null }} Outcome
 */

/** @type {Record<string, Outcome>} */
const BY_CODE = {
  ticket_expired: { view: 'expired' },
  ticket_not_found: { view: 'expired' },
  mini_program_changed: { view: 'expired' },
  ticket_already_scanned: { view: 'used' },
  ticket_already_exchanged: { view: 'used' },
  invalid_transition: { view: 'used' },
  scan_token_invalid: { view: 'used' },
  account_not_found: { view: 'refused', message: 'noAccount' },
  account_creation_disabled: { view: 'refused', message: 'noAccount' },
  registration_disabled: { view: 'refused', message: 'noAccount' },
  user_blocked: { view: 'refused', message: 'blocked' },
  account_locked: { view: 'refused', message: 'blocked' },
  wechat_user_blocked: { view: 'refused', message: 'wechatBlocked' },
  phone_number_in_use: { view: 'refused', message: 'phoneInUse' },
  identity_already_bound: { view: 'refused', message: 'alreadyBound' },
  identity_source_disabled: { view: 'failed', message: 'sourceOff', retry: null },
  identity_source_not_found: { view: 'failed', message: 'sourceOff', retry: null },
  identity_source_not_enabled_for_application: { view: 'failed', message: 'sourceOff', retry: null },
  application_not_found: { view: 'failed', message: 'sourceOff', retry: null },
  user_pool_not_found: { view: 'failed', message: 'sourceOff', retry: null },
  wechat_misconfigured: { view: 'failed', message: 'misconfigured', retry: null },
  wechat_code_invalid: { view: 'failed', message: 'wechatCode', retry: 'scan' },
  wechat_code_used: { view: 'failed', message: 'wechatCode', retry: 'scan' },
  phone_number_mismatch: { view: 'failed', message: 'phoneMismatch', retry: 'ask' },
  wechat_rate_limited: { view: 'failed', message: 'busy', retry: 'scan' },
  rate_limited: { view: 'failed', message: 'busy', retry: 'scan' },
  too_many_attempts: { view: 'failed', message: 'busy', retry: 'scan' },
  wechat_unavailable: { view: 'failed', message: 'unavailable', retry: 'scan' },
  accounts_unavailable: { view: 'failed', message: 'unavailable', retry: 'scan' },
  unavailable: { view: 'failed', message: 'unavailable', retry: 'scan' },
  internal_error: { view: 'failed', message: 'unavailable', retry: 'scan' },
};

/**
 * The view for a refused call (a problem+json answer, or none at all).
 * @param {import('./types').HttpAnswer} answer
 * @param {'scan' | 'move'} stage scan: the scan call; move: confirm or cancel (a retry goes back to the question)
 * @returns {Outcome}
 */
function fromFailure(answer, stage) {
  const code = answer.data && typeof answer.data.code === 'string' ? answer.data.code : null;
  /** @type {Outcome} */
  let outcome;
  if (answer.status === 0) outcome = { view: 'failed', message: 'offline', retry: 'scan' };
  else if (code && BY_CODE[code]) outcome = Object.assign({}, BY_CODE[code]);
  else if (answer.status >= 500 || answer.status === 429) outcome = { view: 'failed', message: 'unavailable', retry: 'scan' };
  else outcome = { view: 'failed', message: 'unexpected', retry: null };
  // After a scan, a retry only needs the question again: the ticket is still scanned by this user.
  if (stage === 'move' && outcome.retry) outcome.retry = 'ask';
  const wait = answer.data && answer.data.retryAfter;
  if (outcome.retry && typeof wait === 'number' && wait > 0) outcome.retryAfter = wait;
  return outcome;
}

/**
 * The view after a confirm or cancel answered 200.
 * @param {import('./types').MoveAnswer} ticket
 * @returns {Outcome}
 */
function fromTicket(ticket) {
  switch (ticket.status) {
    case 'confirmed':
    case 'consumed':
      return { view: 'signed_in' };
    case 'binding_required':
      return { view: 'binding', bindingCode: ticket.bindingCode || null };
    case 'cancelled':
      return { view: 'cancelled' };
    case 'expired':
      return { view: 'expired' };
    case 'rejected': {
      // The ticket is finished: whatever the reason, trying again on this ticket cannot help.
      const refused = fromFailure({ status: 403, data: { code: ticket.reason || 'account_not_found' } }, 'move');
      return refused.view === 'failed' || refused.view === 'refused'
        ? { view: refused.view, message: refused.view === 'failed' && refused.message === 'unexpected' ? 'refusedOther' : refused.message, retry: null }
        : refused;
    }
    default:
      return { view: 'failed', message: 'unexpected', retry: null };
  }
}

/**
 * After a refusal that only says the move does not fit the ticket's state (invalid_transition), the ticket's status
 * tells why: it expired (the usual case: an old code, or a question left open), or it is finished some other way.
 * @param {import('./types').HttpAnswer} status the answer of GET /api/tickets/{id}
 * @returns {Outcome}
 */
function fromStatusAfterRefusal(status) {
  const current = status.status === 200 && status.data ? status.data.status : null;
  if (current === 'expired' || status.status === 404) return { view: 'expired' };
  if (current === 'cancelled') return { view: 'cancelled' };
  return { view: 'used' };
}

module.exports = { fromFailure, fromTicket, fromStatusAfterRefusal };
