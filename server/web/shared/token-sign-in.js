/*
 * A page's own token sign-in, served as /web/shared/token-sign-in.js. A token handed over in the URL fragment
 * (#token=…, which never reaches a server log) is kept in localStorage and taken out of the address bar; the
 * sign-in form keeps a pasted token (an empty one is ignored); the sign-out button calls the page's signedOut.
 * The console pages sign in through console.js; this one serves pages with a token of their own (the /service desk,
 * where agents sign in with a staff token).
 */
/* global localStorage, location, history, URLSearchParams */
import { $ } from './dom.js';

/** Wires the sign-in form and the sign-out button; `signIn()` runs after a token is pasted. */
export function tokenSignIn({ key, signIn, signedOut }) {
  const params = new URLSearchParams(location.hash.slice(1));
  const handed = params.get('token');
  if (handed) {
    localStorage.setItem(key, handed);
    // Only the token leaves the address bar: the rest of the fragment may be the page's own state.
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
  }
  $('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('token-input').value.trim();
    if (!token) return;
    localStorage.setItem(key, token);
    $('token-input').value = '';
    signIn();
  });
  $('sign-out').addEventListener('click', () => signedOut(''));
}
