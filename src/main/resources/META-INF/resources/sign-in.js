// Signing in, for a service in jwt mode (GET /api/session says so): the page goes to the deployment's sign-in URL with
// redirect_uri and state, and comes back with #access_token=...&state=... (OAuth 2's implicit flow, as identity
// providers such as Keycloak offer it). The token is kept in sessionStorage, this tab's only, and never put in a URL the
// page requests: it goes in the Authorization header and in the socket's bearer-token-carrier subprotocol.
'use strict';

const TOKEN_KEY = 'slackir.token';
/** The sign-in this tab started: the nonce its state carries, the room to come back to, and whether it went by itself. */
const SIGN_IN_KEY = 'slackir.sign-in';
/** When this tab last came back from a sign-in it went to by itself. */
const AGAIN_KEY = 'slackir.signed-in-again';
/** What the page keeps of a room while it signs in again: what it showed, the shouts not yet seen, the draft. */
const AWAY_KEY = 'slackir.away';
/**
 * The page signs in again by itself when its token expires, at most once in this long: a provider that hands back
 * tokens the service refuses (a clock or configuration mistake) must not send the page round in circles.
 */
const AGAIN_AT_MOST_EVERY_MS = 30000;

function read(key) {
    try {
        return JSON.parse(sessionStorage.getItem(key));
    } catch {
        return null;
    }
}

/** The token this tab signed in with, or null. */
export function token() {
    return sessionStorage.getItem(TOKEN_KEY);
}

/** The Authorization header for a token (none without one). */
export function bearer(value) {
    return value ? { Authorization: `Bearer ${value}` } : {};
}

/** The socket's subprotocols: browsers cannot set its headers, the server turns this one into the header. */
export function protocols(value) {
    return ['bearer-token-carrier', encodeURIComponent(`quarkus-http-upgrade#Authorization#Bearer ${value}`)];
}

/**
 * How the service lets people in, and who a token signs in: { mode, signInUrl, name, expiresAt }. A service that does
 * not answer (one older than sign-in) is open. Throws when the network fails.
 */
export async function session(value) {
    const response = await fetch('/api/session', { headers: bearer(value) });
    return response.ok ? response.json() : { mode: 'open' };
}

/** Whether the address is a sign-in's return. */
export function isReturn() {
    const fragment = new URLSearchParams(location.hash.slice(1));
    return fragment.has('access_token') || fragment.has('error');
}

/**
 * Reads a sign-in's return from the address (#access_token=... or #error=...) and puts #/<room> in its place at once,
 * so the token leaves the address bar and the history. Null when the address is no such return. The token is not kept
 * yet: {@link accept} decides.
 */
export function takeReturn(roomRule) {
    if (!isReturn()) {
        return null;
    }
    const fragment = new URLSearchParams(location.hash.slice(1));
    const started = read(SIGN_IN_KEY);
    sessionStorage.removeItem(SIGN_IN_KEY);
    const state = fragment.get('state') || '';
    const cut = state.lastIndexOf('.');
    const stateRoom = cut >= 0 ? state.slice(0, cut) : state;
    const nonce = cut >= 0 ? state.slice(cut + 1) : '';
    const away = read(AWAY_KEY);
    const room = [stateRoom, started && started.room, away && away.room].find((r) => r && roomRule.test(r)) || 'lobby';
    history.replaceState(history.state, '', `${location.pathname}${location.search}#/${room}`);
    if (started && started.auto) {
        sessionStorage.setItem(AGAIN_KEY, String(Date.now()));
    }
    return {
        token: fragment.get('access_token'),
        error: fragment.get('error') ? fragment.get('error_description') || fragment.get('error') : null,
        // A sign-in this tab started comes back with the nonce it sent: anything else is someone's link
        ours: Boolean(started && nonce && started.nonce === nonce),
        room,
    };
}

/**
 * Keeps a returned token, unless the sign-in failed or, where the page has a sign-in URL, the page did not start it
 * (a link that would sign this tab in as someone else). Says what went wrong, null when kept.
 */
export function accept(returned, signInUrl) {
    if (returned.error) {
        return `The sign-in failed: ${returned.error}.`;
    }
    if (!returned.token || (signInUrl && !returned.ours)) {
        return 'That sign-in was not started here, so it was not used.';
    }
    sessionStorage.setItem(TOKEN_KEY, returned.token);
    return null;
}

/** Whether the page went to sign in by itself a moment ago: then it asks first. */
export function signedInAgainLately() {
    return Date.now() - Number(sessionStorage.getItem(AGAIN_KEY) || 0) < AGAIN_AT_MOST_EVERY_MS;
}

/** Leaves for the sign-in URL, to come back to this page and room; auto: the page went by itself. */
export function signIn(signInUrl, room, auto) {
    const nonce = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
    sessionStorage.setItem(SIGN_IN_KEY, JSON.stringify({ nonce, room, auto }));
    const hash = signInUrl.indexOf('#');
    const url = hash >= 0 ? signInUrl.slice(0, hash) : signInUrl;
    const separator = !url.includes('?') ? '?' : /[?&]$/.test(url) ? '' : '&';
    const back = encodeURIComponent(`${location.origin}${location.pathname}`);
    location.assign(`${url}${separator}redirect_uri=${back}&state=${encodeURIComponent(`${room}.${nonce}`)}`
        + (hash >= 0 ? signInUrl.slice(hash) : ''));
}

/** Forgets the token (it expired or was refused); what is kept for the return stays. */
export function forgetToken() {
    sessionStorage.removeItem(TOKEN_KEY);
}

/** Signing out: the token and what was kept for a return. */
export function signOut() {
    for (const key of [TOKEN_KEY, AWAY_KEY, SIGN_IN_KEY, AGAIN_KEY]) {
        sessionStorage.removeItem(key);
    }
}

/**
 * Keeps a room's state for the return from a sign-in. Past the storage's quota (long shouts), only the shouts not yet
 * seen and the newest few shown are kept.
 */
export function keepAway(state) {
    try {
        sessionStorage.setItem(AWAY_KEY, JSON.stringify(state));
    } catch {
        const few = state.items.filter((item, index) => item.pending || index >= state.items.length - 20);
        try {
            sessionStorage.setItem(AWAY_KEY, JSON.stringify({ ...state, items: few, older: true }));
        } catch {
            sessionStorage.removeItem(AWAY_KEY);
        }
    }
}

/** What was kept for the return, or null. */
export function away() {
    return read(AWAY_KEY);
}

export function forgetAway() {
    sessionStorage.removeItem(AWAY_KEY);
}
