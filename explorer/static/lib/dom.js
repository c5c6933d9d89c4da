// DOM helpers. Chain data only ever enters the page as text (text nodes
// and attributes set one by one), never as HTML.

// el builds an element: attrs sets properties (class, href, ...), and
// children are nodes or strings (added as text nodes).
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'onclick') e.addEventListener('click', v);
      else if (k === 'onsubmit') e.addEventListener('submit', v);
      else if (k === 'href') e.setAttribute('href', safeHref(v));
      else if (k === 'hidden' || k === 'disabled') e[k] = true;
      else e.setAttribute(k, String(v));
    }
  }
  append(e, children);
  return e;
}

// append adds children (nodes, strings, nested arrays) to e, skipping
// undefined, null and false.
export function append(e, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(e, c);
    else if (c instanceof Node) e.appendChild(c);
    else e.appendChild(document.createTextNode(String(c)));
  }
}

// safeHref allows only in-page routes and http(s) URLs.
export function safeHref(v) {
  const s = String(v);
  if (s.startsWith('#/')) return s;
  if (/^https?:\/\//i.test(s)) return s;
  return '#/';
}

export function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }

// mainEl is the page's <main>, where every page draws itself.
export function mainEl() { return document.getElementById('main'); }

// show replaces the page's content with nodes.
export function show(...nodes) { const main = mainEl(); clear(main); append(main, nodes); }
