// The node's REST API client: JSON in and out; a NetError when the node
// cannot be reached, an ApiError (RFC 9457 problem detail) when it refuses.
import { setConn } from './conn.js';

export const API = '/api/v1';

export class NetError extends Error {}
export class ApiError extends Error {
  constructor(status, detail, code) { super(detail); this.status = status; this.code = code; }
}

export async function api(path, opts) {
  let r;
  try {
    // The devnet controls live at the root (/devnet/...), the rest under /api/v1.
    const url = path.startsWith('/devnet/') ? path : API + path;
    r = await fetch(url, Object.assign({ headers: { Accept: 'application/json' }, cache: 'no-store' }, opts || {}));
  } catch (e) {
    throw new NetError('cannot reach the node');
  }
  if (r.status === 502 || r.status === 504) throw new NetError('the node is not answering');
  let body = null;
  const text = await r.text();
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
  if (!r.ok) {
    const detail = body && (body.detail || body.title) ? (body.detail || body.title) : (r.status + ' ' + r.statusText);
    throw new ApiError(r.status, detail, body && body.code);
  }
  setConn(true);
  return body;
}

export function post(path, body) {
  return api(path, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body || {}) });
}

// exists says whether path answers (false on 404 or 400); other errors throw.
export async function exists(path) {
  try { await api(path); return true; } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 400)) return false;
    throw e;
  }
}
