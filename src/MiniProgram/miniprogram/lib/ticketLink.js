// @ts-check
// Finds the ticket id in the confirm page's query, whichever way the page was opened.

const TICKET_ID = /^[A-Za-z0-9_-]{22}$/;

/** @param {string | undefined} value */
function decode(value) {
  if (!value) return '';
  try { return decodeURIComponent(value); } catch (e) { return ''; }
}

/**
 * The ticket id at the end of a link (an ordinary QR code's text: "https://prefix/<ticket id>"), or null.
 * @param {string} link
 * @returns {string | null}
 */
function ticketIdFromLink(link) {
  const path = link.split('#')[0].split('?')[0].replace(/\/+$/, '');
  const last = path.slice(path.lastIndexOf('/') + 1);
  return TICKET_ID.test(last) ? last : null;
}

/**
 * The ticket id from the page's query: `scene` (a mini-program code), `q` (an ordinary QR code's link) or `ticket`.
 * @param {Record<string, string | undefined>} query
 * @returns {string | null}
 */
function ticketIdFromQuery(query) {
  if (query.scene) {
    const scene = decode(query.scene);
    return TICKET_ID.test(scene) ? scene : null;
  }
  if (query.q) return ticketIdFromLink(decode(query.q));
  if (query.ticket) {
    const ticket = decode(query.ticket);
    return TICKET_ID.test(ticket) ? ticket : ticketIdFromLink(ticket);
  }
  return null;
}

/**
 * The ticket id in what wx.scanCode read: a mini-program code gives the page path with its scene, an ordinary code its text.
 * @param {{ path?: string, result?: string }} scanned
 * @returns {string | null}
 */
function ticketIdFromScan(scanned) {
  if (scanned.path && scanned.path.indexOf('?') >= 0) {
    /** @type {Record<string, string>} */
    const query = {};
    for (const pair of scanned.path.slice(scanned.path.indexOf('?') + 1).split('&')) {
      const at = pair.indexOf('=');
      if (at > 0) query[pair.slice(0, at)] = pair.slice(at + 1);
    }
    return ticketIdFromQuery(query);
  }
  return scanned.result ? ticketIdFromLink(scanned.result.trim()) : null;
}

module.exports = { ticketIdFromQuery, ticketIdFromLink, ticketIdFromScan };
