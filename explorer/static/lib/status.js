// The node's status (/status), loaded before the first page and by the
// dashboard on every refresh; it sets the coin's decimals.
import { api } from './api.js';
import { setDecimals } from './format.js';

let status = null;

export async function loadStatus() {
  status = await api('/status');
  setDecimals(Number(status.decimals) || 0);
  return status;
}

// currentStatus is the status last loaded (null before the first load).
export function currentStatus() { return status; }
