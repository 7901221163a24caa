/* DOM helpers every page under server/web shares, served as /web/shared/dom.js (plain module, no build step). */
/* global document, setTimeout, clearTimeout */

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/**
 * A new element. Props: `class`, `text` (its text content), `on<event>` handlers, any other attribute (`true` sets
 * it empty; `undefined`, `null` and `false` leave it out). Children may be nodes, strings or arrays of them (one
 * level deep); `null`, `undefined` and `false` are skipped so a condition can stand in place of a child.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** A [zh-CN, English] label as children: the English part marked as English for screen readers (and smaller in CSS). */
export const bi = (pair) => [pair[0], ' ', el('span', { lang: 'en', text: pair[1] })];

/** A table cell with this text (numbers and counts included) and an optional class. */
export const td = (text, cls) => el('td', { class: cls, text: String(text) });

/** Shows the message in the page's #error box; an empty message hides the box. */
export function showError(message) {
  $('error').textContent = message;
  $('error').hidden = !message;
}

let statusTimer;
/** Shows a passing message in the page's #status line for six seconds. */
/** Saves a fetched file (a CSV export, a QR code) under `name`, as a click on a download link would. */
export function saveBlob(blob, name) {
  const href = URL.createObjectURL(blob);
  const link = el('a', { href, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked a little later: some browsers read the URL after click() has returned.
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

export function announce(text) {
  clearTimeout(statusTimer);
  $('status').textContent = text;
  statusTimer = setTimeout(() => ($('status').textContent = ''), 6000);
}

/** Lists a refusal's problems (the API's `details`, each as "path: message"; else its message) in `box`. */
export function showProblems(box, err) {
  const items = Array.isArray(err?.error?.details) ? err.error.details.map((d) => `${d.path}: ${d.message}`) : [err.message];
  box.replaceChildren(el('ul', {}, items.map((t) => el('li', { text: t }))));
  box.hidden = false;
}
