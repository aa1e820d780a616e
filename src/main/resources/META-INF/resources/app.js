// Slackir's chat page: one room at a time, over ws://HOST/chat/{room} (protocol v1, docs/protocol.md). In jwt mode the
// page speaks under the name of the token the deployment's sign-in gave it (sign-in.js).
// User text is only ever put in the page as text (textContent), never as HTML.
'use strict';

import * as auth from './sign-in.js';

(() => {
    const ROOM_RULE = /^[a-z0-9_-]{1,64}$/;
    const MAX_BACKOFF_MS = 30000;
    /**
     * The name is this tab's (sessionStorage: kept across its reloads, not shared), so a second tab is another person
     * in the room and sees the first in presence and typing. The last name typed in any tab (localStorage) is only a
     * suggestion for a tab that has none, taken when no other open tab goes by it.
     */
    const NAME_KEY = 'slackir.name';
    /** A name being typed is not a name yet: the page reconnects under it once the typing pauses (or on change). */
    const RENAME_AFTER_MS = 1000;
    /** The protocol's pace for typing frames, and how long another's typing is shown unless repeated. */
    const TYPING_EVERY_MS = 3000;
    const TYPING_SHOWN_MS = 6000;
    /** The close code of a connection whose token expired (jwt mode): sign in again, and pick up after the last shout. */
    const TOKEN_EXPIRED = 4401;
    /** The most shown shouts kept across a sign-in: the rest is in the room's history. */
    const KEEP_ACROSS_SIGN_IN = 200;

    const el = {
        status: document.getElementById('status'),
        roomForm: document.getElementById('room-form'),
        room: document.getElementById('room'),
        messages: document.getElementById('messages'),
        older: document.getElementById('older'),
        empty: document.getElementById('empty'),
        form: document.getElementById('shout-form'),
        name: document.getElementById('name'),
        message: document.getElementById('message'),
        nameError: document.getElementById('name-error'),
        messageError: document.getElementById('message-error'),
        template: document.getElementById('message-template'),
        typing: document.getElementById('typing'),
        people: document.getElementById('people'),
        peopleToggle: document.getElementById('people-toggle'),
        peopleHeading: document.getElementById('people-heading'),
        peopleList: document.getElementById('people-list'),
        peopleOthers: document.getElementById('people-others'),
        memberTemplate: document.getElementById('member-template'),
        nameField: document.querySelector('.name-field'),
        send: document.querySelector('.send'),
        identity: document.getElementById('identity'),
        identityName: document.getElementById('identity-name'),
        signOut: document.getElementById('sign-out'),
        gate: document.getElementById('gate'),
        gateHeadline: document.getElementById('gate-headline'),
        gateMore: document.getElementById('gate-more'),
        gateDev: document.getElementById('gate-dev'),
        signIn: document.getElementById('sign-in'),
    };

    // A sign-in's return: the token leaves the address at once, before anything else is done
    const returned = auth.takeReturn(ROOM_RULE);

    let room = null;
    let socket = null;
    /** The name the current connection gave at its handshake, '' for none: the room lists it under this name. */
    let socketName = '';
    /** A connection opened under a new name; it becomes the current one when its history arrives. */
    let replacement = null;
    /** Connections a new name replaced, kept open until the shouts sent on them are acked or refused. */
    const retiring = new Set();
    let renameTimer = null;
    let attempt = 0;
    let retryTimer = null;
    let refs = 0;
    /** The shouts shown, by id: a shout is never shown twice. */
    const shown = new Map();
    /** Own shouts sent and not yet seen broadcast, oldest first. */
    const unseen = [];
    /** Own shouts waiting for their ack, by ref. */
    const unacked = new Map();
    /** The connection each own shout waiting for its ack or refusal was sent on, by ref. */
    const sentOn = new Map();
    /** Who is here (presence frames): members by name and the count of unnamed connections; null before any. */
    let presence = null;
    /** Others typing, by name: the timer that forgets each. In the order they started. */
    const typists = new Map();
    let typingSentAt = 0;
    /**
     * How the service lets people in (GET /api/session), and in jwt mode who this page is signed in as (null: no one);
     * run from the sources without a sign-in URL, the command that mints a token (devSignIn).
     */
    let access = { mode: 'open', signInUrl: null, name: null, devSignIn: null };
    /**
     * Why the page has no connection on purpose (jwt mode): 'signed-out', 'expired' or 'denied'; null when it may
     * connect. With its explanation, when there is one beyond the usual.
     */
    let gated = null;
    let gatedWhy = null;

    /** The name this tab holds a lock on ({@link holdName}): { name, release } once the lock is granted. */
    let heldName = null;

    function jwt() {
        return access.mode === 'jwt';
    }

    /**
     * Holds a Web Lock named after this tab's name while the tab goes by it, so another tab opened meanwhile does not
     * take the same suggestion; the browser lets go when the tab closes or crashes. Resolves to false when another tab
     * holds it already. Without Web Locks (a page served over plain HTTP from another host is no secure context) every
     * tab takes the suggestion, as one shared name.
     */
    function holdName(name) {
        if (heldName && heldName.release) {
            heldName.release();
        }
        heldName = null;
        if (!name || !navigator.locks) {
            return Promise.resolve(true);
        }
        const claim = { name, release: null };
        heldName = claim;
        return new Promise((held) => {
            navigator.locks.request(`slackir.name:${name}`, { ifAvailable: true }, (lock) => {
                held(Boolean(lock));
                // Not to keep: taken by another tab, or this tab changed its name while asking
                if (!lock || heldName !== claim) {
                    return null;
                }
                return new Promise((release) => {
                    claim.release = release;
                });
            });
        });
    }

    /** This tab's name across a reload; else the last name typed in any tab, unless another open tab goes by it. */
    async function tabName() {
        const own = sessionStorage.getItem(NAME_KEY);
        if (own !== null) {
            holdName(own.trim());
            return own;
        }
        const suggested = localStorage.getItem(NAME_KEY) || '';
        return await holdName(suggested.trim()) ? suggested : '';
    }

    function authorization() {
        return jwt() ? auth.bearer(auth.token()) : {};
    }

    function roomFromHash() {
        const match = /^#\/(.+)$/.exec(location.hash);
        return match && ROOM_RULE.test(match[1]) ? match[1] : 'lobby';
    }

    function setStatus(text, down) {
        el.status.textContent = text;
        el.status.classList.toggle('down', Boolean(down));
    }

    /** The id of the newest shout shown: a reconnect asks for what came after it. */
    function lastId() {
        const last = el.messages.lastElementChild;
        for (let item = last; item; item = item.previousElementSibling) {
            if (item.dataset.id) {
                return item.dataset.id;
            }
        }
        return null;
    }

    /** The name the room would list this page under: the name field's, if the server would take it, else ''. */
    function presenceName() {
        if (jwt()) {
            return access.name || '';
        }
        const name = el.name.value.trim();
        return name && [...name].length <= el.name.maxLength && !/\p{Cc}/u.test(name) ? name : '';
    }

    function connect() {
        clearTimeout(retryTimer);
        if (gated) {
            gate(gated, gatedWhy);
            return;
        }
        socketName = presenceName();
        socket = openSocket(socketName);
        setStatus(attempt > 0 ? 'Reconnecting…' : 'Connecting…', attempt > 0);
    }

    /**
     * Opens a connection to the room under a name ('' for none), after the newest shout shown. Frames are read from
     * the current connection; a replacement's only once its history comes (an error about its name may precede it);
     * a retiring one's only for the acks and refusals it still owes.
     */
    function openSocket(name) {
        const since = lastId();
        const query = [];
        if (since) {
            query.push(`after=${encodeURIComponent(since)}`);
        }
        if (name && !jwt()) {
            query.push(`name=${encodeURIComponent(name)}`);
        }
        const url = new URL(`/chat/${room}`, location.href);
        url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
        url.search = query.join('&');
        const ws = jwt() ? new WebSocket(url, auth.protocols(auth.token())) : new WebSocket(url);
        let opened = false;
        ws.onopen = () => {
            opened = true;
        };
        ws.onmessage = (event) => {
            const frame = JSON.parse(event.data);
            if (ws === replacement && frame.type === 'history') {
                takeOver(ws, name);
            }
            const owed = retiring.has(ws) && ['shout', 'ack', 'error'].includes(frame.type);
            if (ws === socket || owed || (ws === replacement && frame.type === 'error')) {
                keepingBottom(() => receive(frame, since));
            }
        };
        ws.onclose = (event) => {
            if (ws === socket) {
                socket = null;
                if (jwt() && event.code === TOKEN_EXPIRED) {
                    expired();
                } else if (jwt() && !opened) {
                    whyRefused();
                } else {
                    lostConnection();
                }
            } else if (ws === replacement) {
                // Renaming failed: the page stays under its old name until the next change or reconnect
                replacement = null;
            } else if (retiring.has(ws)) {
                retiring.delete(ws);
                for (const [ref, on] of sentOn) {
                    if (on === ws) {
                        lost(ref);
                    }
                }
            }
        };
        return ws;
    }

    /**
     * Reconnects under the name in the field once it differs from the current connection's, so the room lists the
     * new name. The current connection carries on (shouts sent meanwhile go on it) until the new one has its history.
     */
    function syncName() {
        clearTimeout(renameTimer);
        if (socket && socket.readyState === WebSocket.OPEN && !replacement && presenceName() !== socketName) {
            replacement = openSocket(presenceName());
        }
    }

    function takeOver(ws, name) {
        const old = socket;
        replacement = null;
        socket = ws;
        socketName = name;
        typingSentAt = 0;
        if (old) {
            retiring.add(old);
            closeIfSettled(old);
        }
    }

    /** An own shout was acked or refused: the retiring connection it was sent on may have nothing left to owe. */
    function settled(ref) {
        const ws = sentOn.get(ref);
        sentOn.delete(ref);
        if (ws && retiring.has(ws)) {
            closeIfSettled(ws);
        }
    }

    function closeIfSettled(ws) {
        if (![...sentOn.values()].includes(ws)) {
            retiring.delete(ws);
            ws.close(1000, 'renamed');
        }
    }

    /** An own shout's connection closed before its ack: not sent if it was not seen broadcast either. */
    function lost(ref) {
        sentOn.delete(ref);
        unacked.delete(ref);
        const index = unseen.findIndex((pending) => pending.ref === ref);
        if (index >= 0) {
            markFailed(unseen.splice(index, 1)[0].item, 'not sent: the connection was lost');
        }
    }

    /** Closes the connections beside the current one: a room switch or a lost connection starts afresh. */
    function dropOthers(reason) {
        const others = [replacement, ...retiring];
        replacement = null;
        retiring.clear();
        sentOn.clear();
        for (const ws of others) {
            if (ws) {
                ws.close(1000, reason);
            }
        }
    }

    function lostConnection() {
        // Shouts not seen broadcast may never have arrived: say so, the history after reconnecting shows those that did
        for (const pending of unseen.splice(0)) {
            markFailed(pending.item, 'not sent: the connection was lost');
            unacked.delete(pending.ref);
        }
        dropOthers('connection lost');
        // Who is here and typing is unknown until the presence after reconnecting
        showPresence(null);
        forgetTypists();
        const delay = Math.round(Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2));
        attempt++;
        setStatus(`Connection lost. Reconnecting in ${Math.ceil(delay / 1000)} s…`, true);
        retryTimer = setTimeout(connect, delay);
    }

    function switchRoom(next) {
        if (next === room) {
            return;
        }
        enterRoom(next);
        connect();
    }

    /** Shows another room, empty until its connection brings its history; one denied is not the next one. */
    function enterRoom(next) {
        room = next;
        el.room.value = room;
        document.title = `#${room} · Slackir`;
        leaveRoom('switching rooms');
        if (gated === 'denied') {
            ungate();
        }
        attempt = 0;
    }

    /** Closes the room's connections and forgets what it showed. */
    function leaveRoom(reason) {
        clearTimeout(retryTimer);
        if (socket) {
            const old = socket;
            socket = null;
            old.close(1000, reason);
        }
        dropOthers(reason);
        shown.clear();
        unseen.length = 0;
        unacked.clear();
        showPresence(null);
        forgetTypists();
        el.messages.replaceChildren();
        el.older.hidden = true;
        el.empty.hidden = true;
    }

    /**
     * A connection that never opened (jwt mode): the browser is not told why a handshake was refused, so the page asks
     * HTTP, with the same token. 401: the token is no longer good; 403: the room is private to others; else the
     * network or the server, retried as any lost connection.
     */
    async function whyRefused() {
        const inRoom = room;
        let status = 0;
        try {
            status = (await fetch(`/api/rooms/${inRoom}/presence`, { headers: authorization() })).status;
        } catch {
            // The network: as any lost connection
        }
        if (inRoom !== room || socket || gated) {
            return;
        }
        if (status === 401) {
            expired();
        } else if (status === 403) {
            gate('denied');
        } else {
            lostConnection();
        }
    }

    /**
     * The token expired (the server closed with 4401, or a reconnect was refused with 401). The room as shown, the own
     * shouts not yet seen broadcast (they may have arrived: their acks are lost with the connection) and the draft
     * are kept for the return; then the page signs in again, by itself if it may (a provider with a live session
     * comes back at once), else it says so and keeps them shown.
     */
    function expired() {
        dropOthers('signed out');
        showPresence(null);
        forgetTypists();
        unacked.clear();
        for (const pending of unseen) {
            setState(pending.item, 'pending', 'waiting for sign-in');
        }
        auth.forgetToken();
        keepRoom();
        if (access.signInUrl && !auth.signedInAgainLately()) {
            setStatus('Your sign-in expired. Signing in again…', true);
            auth.signIn(access.signInUrl, room, true);
        } else {
            // Still this name's page, kept for it: another's sign-in does not send its shouts
            el.identity.hidden = true;
            gate('expired');
        }
    }

    /** Keeps what the page shows of the room, for the return from a sign-in (sign-in.js). */
    function keepRoom() {
        const pending = new Set(unseen.map((own) => own.item));
        const items = [...el.messages.children].slice(-KEEP_ACROSS_SIGN_IN - pending.size).map((item) => ({
            id: item.dataset.id || null,
            name: item.querySelector('.who').textContent,
            message: item.querySelector('.text').textContent,
            insertedAt: item.querySelector('.when').dateTime || null,
            state: item.dataset.state,
            label: item.querySelector('.state').textContent,
            problem: item.querySelector('.problem').textContent,
            pending: pending.has(item),
        }));
        const older = !el.older.hidden || items.length < el.messages.childElementCount;
        auth.keepAway({ room, name: access.name, items, draft: el.message.value, older });
    }

    /**
     * Back from a sign-in to the room it left: shows what it showed, the shouts not yet seen broadcast pending again,
     * and the draft. The connection then asks for what came after the last shout shown, and the history says which of
     * those shouts arrived.
     */
    function restoreRoom() {
        const kept = auth.away();
        if (!kept || kept.room !== room || (access.name && kept.name && kept.name !== access.name)) {
            return;
        }
        for (const saved of kept.items) {
            const item = render(saved.name, saved.message);
            setState(item, saved.state, saved.label);
            item.querySelector('.problem').textContent = saved.problem;
            if (saved.id) {
                item.dataset.id = saved.id;
                stamp(item, saved.insertedAt);
                shown.set(saved.id, item);
            }
            if (saved.pending) {
                unseen.push({ ref: null, name: saved.name, message: saved.message, item, kept: true });
            }
            el.messages.appendChild(item);
        }
        el.older.hidden = !kept.older;
        if (kept.draft && !el.message.value) {
            el.message.value = kept.draft;
        }
    }

    /**
     * After the return's history (and any gap filled): the kept shouts it did not show never arrived, and are sent
     * once more. What was kept is then forgotten.
     */
    function resendKept() {
        if (!jwt() || !socket || socket.readyState !== WebSocket.OPEN) {
            return;
        }
        for (const own of unseen.filter((pending) => pending.kept)) {
            own.kept = false;
            own.ref = `r${++refs}`;
            setState(own.item, 'pending', 'sending…');
            unacked.set(own.ref, own.item);
            sentOn.set(own.ref, socket);
            socket.send(JSON.stringify({ type: 'shout', message: own.message, ref: own.ref }));
        }
        auth.forgetAway();
    }

    /**
     * Says why the page has no connection, where the messages would be, and offers what can be done: signing in, or
     * another room. No connection is opened until that changes.
     */
    function gate(kind, why) {
        gated = kind;
        gatedWhy = why || null;
        clearTimeout(retryTimer);
        const signIn = Boolean(access.signInUrl);
        const needsToken = 'Slackir here needs a token from the deployment\'s sign-in, and the page was not told where '
            + 'that is: ask whoever runs it how to sign in.';
        let headline;
        let more;
        if (kind === 'denied') {
            headline = `#${room} is private: you may not enter it.`;
            more = 'Choose another room above, or ask for access to this one.';
        } else if (kind === 'expired') {
            headline = 'Your sign-in expired.';
            more = `${signIn ? 'Sign in again to carry on.' : needsToken} Messages not yet sent are kept.`;
        } else {
            headline = 'You are signed out.';
            more = signIn ? `Sign in to read and write in #${room}.` : needsToken;
        }
        if (gatedWhy) {
            more = `${gatedWhy} ${more}`;
        }
        el.gateHeadline.textContent = headline;
        el.gateMore.textContent = more;
        // A developer running Slackir from its sources has no sign-in to go to: the service says what mints a token
        el.gateDev.hidden = kind === 'denied' || signIn || !access.devSignIn;
        if (!el.gateDev.hidden) {
            const command = document.createElement('code');
            command.textContent = access.devSignIn;
            el.gateDev.replaceChildren('In dev mode, ', command, ', run in the project\'s directory, mints a token '
                + 'and prints a link that signs this page in as NAME.');
        }
        el.signIn.hidden = kind === 'denied' || !signIn;
        el.gate.hidden = false;
        el.empty.hidden = true;
        el.message.disabled = true;
        el.send.disabled = true;
        setStatus(headline, true);
    }

    function ungate() {
        gated = null;
        gatedWhy = null;
        el.gate.hidden = true;
        el.message.disabled = false;
        el.send.disabled = false;
    }

    /** jwt mode: who the page speaks as, in place of the name field. */
    function showIdentity() {
        el.nameField.hidden = jwt();
        el.identity.hidden = !jwt() || !access.name;
        el.identityName.textContent = access.name || '';
    }

    function signOut() {
        auth.signOut();
        access.name = null;
        showIdentity();
        leaveRoom('signed out');
        gate('signed-out');
        el.signIn.focus();
    }

    /** Acts on a frame; since: the id the connection asked to start after (null for the latest history). */
    function receive(frame, since) {
        switch (frame.type) {
            case 'history':
                frame.messages.forEach(show);
                attempt = 0;
                setStatus(`Connected to #${room}`, false);
                if (!frame.complete && since && frame.messages.length > 0) {
                    fillGap(room, since, frame.messages[0].id);
                } else if (!frame.complete && !since) {
                    el.older.hidden = false;
                }
                // Nothing said here yet: say so, and how to start. Once the list has a message it never empties again
                // in this room, so a reconnect does not bring this back. (A no-break space keeps the dash off the start
                // of a line.)
                if (frame.complete && el.messages.childElementCount === 0) {
                    el.empty.textContent =
                        `No messages in #${room} yet. Say hello below\u00a0— everyone in the room sees it at once.`;
                    el.empty.hidden = false;
                }
                // The name may have changed while this connection was being made
                syncName();
                if (frame.complete || !since || frame.messages.length === 0) {
                    resendKept();
                }
                break;
            case 'shout':
                if (show(frame)) {
                    stoppedTyping(frame.name);
                }
                break;
            case 'presence':
                showPresence({
                    members: new Map((frame.members || []).map((member) => [member.name, member])),
                    unnamed: frame.unnamed || 0,
                });
                break;
            case 'presence_diff':
                if (presence) {
                    for (const member of frame.joins || []) {
                        presence.members.set(member.name, member);
                    }
                    for (const name of frame.leaves || []) {
                        presence.members.delete(name);
                        stoppedTyping(name);
                    }
                    if (typeof frame.unnamed === 'number') {
                        presence.unnamed = frame.unnamed;
                    }
                    showPresence(presence);
                }
                break;
            case 'typing':
                // Other tabs under this page's name get this page's typing too: that is not someone else
                if (typeof frame.name === 'string' && frame.name !== socketName) {
                    typing(frame.name);
                }
                break;
            case 'ack': {
                const pending = unacked.get(frame.ref);
                unacked.delete(frame.ref);
                const item = shown.get(frame.id) || pending;
                if (pending && item !== pending) {
                    // The broadcast was shown on its own (the text was trimmed differently): drop the pending copy
                    pending.remove();
                    const index = unseen.findIndex((own) => own.item === pending);
                    if (index >= 0) {
                        unseen.splice(index, 1);
                    }
                }
                if (item) {
                    setState(item, 'confirmed', '');
                }
                break;
            }
            case 'error':
                refused(frame);
                break;
            default:
                break;
        }
        if ((frame.type === 'ack' || frame.type === 'error') && frame.ref) {
            settled(frame.ref);
        }
    }

    /** Shows who is here: on a wide screen the list, on a narrow one a count that opens it. Null hides it. */
    function showPresence(next) {
        presence = next;
        el.people.hidden = !presence;
        if (!presence) {
            el.peopleList.replaceChildren();
            return;
        }
        const members = [...presence.members.values()].sort((a, b) => a.name.localeCompare(b.name));
        const here = `${members.length + presence.unnamed} here`;
        el.peopleToggle.textContent = here;
        el.peopleHeading.textContent = here;
        el.peopleList.replaceChildren(...members.map((member) => {
            const item = el.memberTemplate.content.firstElementChild.cloneNode(true);
            item.querySelector('.member-name').textContent = member.name;
            const notes = [];
            if (member.name === socketName) {
                notes.push('you');
            }
            if (member.connections > 1) {
                notes.push(`${member.connections} tabs`);
            }
            item.querySelector('.member-note').textContent = notes.length > 0 ? `(${notes.join(', ')})` : '';
            return item;
        }));
        const others = presence.unnamed;
        if (others === 0) {
            el.peopleOthers.textContent = '';
        } else if (members.length > 0) {
            el.peopleOthers.textContent = `and ${others} ${others === 1 ? 'other' : 'others'}`;
        } else {
            el.peopleOthers.textContent = `${others} without a name`;
        }
    }

    /** Someone else typed: shown until they shout, leave, or stay quiet for TYPING_SHOWN_MS. */
    function typing(name) {
        const known = typists.has(name);
        clearTimeout(typists.get(name));
        typists.set(name, setTimeout(() => stoppedTyping(name), TYPING_SHOWN_MS));
        if (!known) {
            showTypists();
        }
    }

    function stoppedTyping(name) {
        if (typists.has(name)) {
            clearTimeout(typists.get(name));
            typists.delete(name);
            showTypists();
        }
    }

    function forgetTypists() {
        typists.forEach(clearTimeout);
        typists.clear();
        showTypists();
    }

    /**
     * Says who is typing in a polite live region. It is written only when who types changes, and only if the sentence
     * does, so a screen reader hears it once, not at every repeated typing frame.
     */
    function showTypists() {
        const names = [...typists.keys()];
        let text = '';
        if (names.length === 1) {
            text = `${names[0]} is typing…`;
        } else if (names.length === 2) {
            text = `${names[0]} and ${names[1]} are typing…`;
        } else if (names.length === 3) {
            text = `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
        } else if (names.length > 3) {
            text = `${names[0]}, ${names[1]} and ${names.length - 2} others are typing…`;
        }
        if (el.typing.textContent !== text) {
            el.typing.textContent = text;
        }
    }

    /**
     * More was missed than the history frame holds: pages the rest over HTTP, backward from the oldest the frame
     * showed, until the page reaches the last id shown before the drop.
     */
    async function fillGap(inRoom, since, before) {
        let cursor = before;
        while (cursor && inRoom === room) {
            setStatus(`Connected to #${room}, catching up…`, false);
            const response = await fetch(`/api/rooms/${inRoom}/messages?before=${cursor}&limit=200`,
                { headers: authorization() });
            if (!response.ok || inRoom !== room) {
                break;
            }
            const page = await response.json();
            keepingBottom(() => page.messages.filter((shout) => shout.id > since).forEach(show));
            const oldest = page.messages.length > 0 ? page.messages[0].id : null;
            cursor = page.complete || !oldest || oldest <= since ? null : oldest;
        }
        if (inRoom === room && socket) {
            setStatus(`Connected to #${room}`, false);
            resendKept();
        }
    }

    /**
     * Shows a shout once, in id order (ids sort in acceptance order). An own pending shout becomes it: the oldest, or
     * any kept across a sign-in (the history after the return may page in backwards). Says whether it was new.
     */
    function show(shout) {
        if (shown.has(shout.id)) {
            return false;
        }
        let item;
        const index = unseen.findIndex((own, i) => (i === 0 || own.kept) && own.name === shout.name
            && own.message === shout.message);
        if (index >= 0) {
            const own = unseen.splice(index, 1)[0];
            item = own.item;
            item.remove();
            setState(item, unacked.has(own.ref) ? 'sent' : 'confirmed', unacked.has(own.ref) ? 'sent' : '');
        } else {
            item = render(shout.name, shout.message);
            setState(item, 'confirmed', '');
        }
        item.dataset.id = shout.id;
        stamp(item, shout.insertedAt);
        shown.set(shout.id, item);
        insertInOrder(item);
        return true;
    }

    function stamp(item, insertedAt) {
        const when = item.querySelector('.when');
        const time = new Date(insertedAt);
        when.dateTime = insertedAt;
        when.textContent = time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
        when.title = time.toLocaleString();
    }

    function insertInOrder(item) {
        let before = null;
        for (let other = el.messages.lastElementChild; other; other = other.previousElementSibling) {
            if (!other.dataset.id || other.dataset.id > item.dataset.id) {
                before = other;
            } else {
                break;
            }
        }
        el.messages.insertBefore(item, before);
        el.empty.hidden = true;
    }

    /** Runs a change to the list, then follows the newest message if the reader was at the bottom. */
    function keepingBottom(change) {
        const main = el.messages.parentElement;
        const stick = main.scrollHeight - main.scrollTop - main.clientHeight < 80;
        change();
        if (stick) {
            main.scrollTop = main.scrollHeight;
        }
    }

    function render(name, message) {
        const item = el.template.content.firstElementChild.cloneNode(true);
        item.querySelector('.who').textContent = name;
        item.querySelector('.text').textContent = message;
        return item;
    }

    function setState(item, state, label) {
        item.dataset.state = state;
        item.classList.toggle('pending', state === 'pending' || state === 'sent');
        item.classList.toggle('failed', state === 'failed');
        item.querySelector('.state').textContent = label;
    }

    function markFailed(item, problem) {
        setState(item, 'failed', 'not sent');
        item.querySelector('.problem').textContent = problem;
    }

    function refused(error) {
        if (error.code === 'not_stored') {
            const item = unacked.get(error.ref) || shown.get(error.id);
            unacked.delete(error.ref);
            if (item) {
                setState(item, 'failed', 'not stored');
                item.querySelector('.problem').textContent = error.message;
            }
            return;
        }
        const index = unseen.findIndex((pending) => pending.ref === error.ref);
        const pending = index >= 0 ? unseen.splice(index, 1)[0] : null;
        unacked.delete(error.ref);
        const details = (error.errors || []).map((e) => `${e.field} ${e.message}`);
        for (const e of error.errors || []) {
            fieldError(e.field, `${e.field} ${e.message}`);
        }
        if (pending) {
            markFailed(pending.item, details.length ? details.join('; ') : error.message);
            if (!el.message.value) {
                el.message.value = pending.message;
            }
        } else {
            setStatus(`Refused: ${error.message}`, true);
        }
    }

    function fieldError(field, text) {
        const target = { name: [el.name, el.nameError], message: [el.message, el.messageError] }[field];
        if (target) {
            target[0].setAttribute('aria-invalid', 'true');
            target[1].textContent = text;
        }
    }

    function clearFieldErrors() {
        for (const [input, error] of [[el.name, el.nameError], [el.message, el.messageError]]) {
            input.removeAttribute('aria-invalid');
            error.textContent = '';
        }
    }

    function send() {
        clearFieldErrors();
        const name = jwt() ? access.name : el.name.value.trim();
        const message = el.message.value.trim();
        if (!socket || socket.readyState !== WebSocket.OPEN) {
            setStatus('Not connected: the message was kept, send it again once connected', true);
            return;
        }
        const ref = `r${++refs}`;
        const item = render(name, message);
        setState(item, 'pending', 'sending…');
        el.messages.appendChild(item);
        el.empty.hidden = true;
        el.messages.parentElement.scrollTop = el.messages.parentElement.scrollHeight;
        unseen.push({ ref, name, message, item });
        unacked.set(ref, item);
        sentOn.set(ref, socket);
        // In jwt mode the server names the shout after the token: no name is sent
        socket.send(JSON.stringify(jwt() ? { type: 'shout', message, ref } : { type: 'shout', name, message, ref }));
        el.message.value = '';
        // The shout ends this bout of typing: the next keystroke starts another, announced at once
        typingSentAt = 0;
        syncName();
    }

    /**
     * Tells the room this page's person is typing, at most every TYPING_EVERY_MS, and only under a name. Only to a
     * server that has sent a presence: one that does not know typing would answer each with an error.
     */
    function announceTyping() {
        const now = Date.now();
        if (el.message.value.trim() && socketName && presence && socket && socket.readyState === WebSocket.OPEN
            && now - typingSentAt >= TYPING_EVERY_MS) {
            typingSentAt = now;
            socket.send(JSON.stringify({ type: 'typing' }));
        }
    }

    el.form.addEventListener('submit', (event) => {
        event.preventDefault();
        send();
        el.message.focus();
    });
    el.message.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            el.form.requestSubmit();
        }
    });
    el.message.addEventListener('input', announceTyping);
    // What was typed meanwhile stands
    const named = tabName().then((name) => {
        if (!el.name.value) {
            el.name.value = name;
        }
    });
    el.name.addEventListener('input', () => {
        sessionStorage.setItem(NAME_KEY, el.name.value);
        localStorage.setItem(NAME_KEY, el.name.value);
        holdName(el.name.value.trim());
        clearTimeout(renameTimer);
        renameTimer = setTimeout(syncName, RENAME_AFTER_MS);
    });
    el.name.addEventListener('change', syncName);
    el.peopleToggle.addEventListener('click', () => {
        const open = el.peopleToggle.getAttribute('aria-expanded') !== 'true';
        el.peopleToggle.setAttribute('aria-expanded', String(open));
    });
    el.roomForm.addEventListener('submit', (event) => {
        event.preventDefault();
        const next = el.room.value.trim();
        if (ROOM_RULE.test(next)) {
            location.hash = `#/${next}`;
        } else {
            el.room.setAttribute('aria-invalid', 'true');
        }
    });
    el.room.addEventListener('input', () => el.room.removeAttribute('aria-invalid'));
    el.signOut.addEventListener('click', signOut);
    el.signIn.addEventListener('click', () => {
        keepRoom();
        auth.signIn(access.signInUrl, room, false);
    });

    /**
     * Asks the service how it lets people in, then enters the room of the address: in open mode at once, in jwt mode
     * once signed in (back from a sign-in, what the room showed before it comes back too).
     */
    async function start(tries) {
        let session;
        try {
            session = await auth.session((returned && returned.token) || auth.token());
        } catch {
            const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** tries);
            setStatus(`Slackir cannot be reached. Trying again in ${Math.ceil(delay / 1000)} s…`, true);
            setTimeout(() => start(tries + 1), delay);
            return;
        }
        await named;
        access = {
            mode: session.mode,
            signInUrl: session.signInUrl || null,
            name: session.name || null,
            devSignIn: session.devSignIn || null,
        };
        const problem = jwt() && returned ? auth.accept(returned, access.signInUrl) : null;
        if (problem) {
            access.name = null;
        } else if (jwt() && !access.name) {
            // Expired or refused: of no more use
            auth.forgetToken();
        }
        showIdentity();
        enterRoom(roomFromHash());
        if (jwt()) {
            restoreRoom();
            if (!access.name) {
                gate('signed-out', problem);
            }
        }
        connect();
        window.addEventListener('hashchange', () => {
            if (auth.isReturn()) {
                // A sign-in came back to the page while it was open: it is read as the page loads
                if (jwt()) {
                    keepRoom();
                }
                location.reload();
            } else {
                switchRoom(roomFromHash());
            }
        });
        // The network is back: reconnect now rather than at the end of the backoff
        window.addEventListener('online', () => {
            if (!socket && room) {
                attempt = 0;
                connect();
            }
        });
        if (gated) {
            (el.signIn.hidden ? el.room : el.signIn).focus();
        } else {
            (jwt() || el.name.value ? el.message : el.name).focus();
        }
    }

    start(0);
})();
