// The connection banner (#conn): hidden while the node answers, else it
// says the node cannot be reached. It also paces the retries: the delay
// doubles up to 10 s while the node is away and resets once it answers.

let retryDelay = 1000;

export function setConn(ok, msg) {
  const conn = document.getElementById('conn');
  if (ok) {
    conn.hidden = true;
    retryDelay = 1000;
    return;
  }
  conn.hidden = false;
  conn.textContent = msg || 'Cannot reach the node, retrying…';
}

// nextRetryDelay returns the delay (ms) before the next retry and doubles
// the one after it.
export function nextRetryDelay() {
  const d = retryDelay;
  retryDelay = Math.min(retryDelay * 2, 10000);
  return d;
}
