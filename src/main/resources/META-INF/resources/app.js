// Slackir's chat page: one room at a time, over ws://HOST/chat/{room} (protocol v1, docs/protocol.md).
// User text is only ever put in the page as text (textContent), never as HTML.
'use strict';

(() => {
    const ROOM_RULE = /^[a-z0-9_-]{1,64}$/;
    const MAX_BACKOFF_MS = 30000;
    const NAME_KEY = 'slackir.name';
    /** A name being typed is not a name yet: the page reconnects under it once the typing pauses (or on change). */
    const RENAME_AFTER_MS = 1000;
    /** The protocol's pace for typing frames, and how long another's typing is shown unless repeated. */
    const TYPING_EVERY_MS = 3000;
    const TYPING_SHOWN_MS = 6000;

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
    };

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
        const name = el.name.value.trim();
        return name && [...name].length <= el.name.maxLength && !/\p{Cc}/u.test(name) ? name : '';
    }

    function connect() {
        clearTimeout(retryTimer);
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
        if (name) {
            query.push(`name=${encodeURIComponent(name)}`);
        }
        const url = new URL(`/chat/${room}`, location.href);
        url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
        url.search = query.join('&');
        const ws = new WebSocket(url);
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
        ws.onclose = () => {
            if (ws === socket) {
                socket = null;
                lostConnection();
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
        room = next;
        el.room.value = room;
        document.title = `#${room} · Slackir`;
        if (socket) {
            const old = socket;
            socket = null;
            old.close(1000, 'switching rooms');
        }
        dropOthers('switching rooms');
        shown.clear();
        unseen.length = 0;
        unacked.clear();
        showPresence(null);
        forgetTypists();
        el.messages.replaceChildren();
        el.older.hidden = true;
        el.empty.hidden = true;
        attempt = 0;
        connect();
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
            const response = await fetch(`/api/rooms/${inRoom}/messages?before=${cursor}&limit=200`);
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
        }
    }

    /**
     * Shows a shout once, in id order (ids sort in acceptance order). An own pending shout becomes it. Says whether it
     * was new.
     */
    function show(shout) {
        if (shown.has(shout.id)) {
            return false;
        }
        let item;
        const own = unseen[0];
        if (own && own.name === shout.name && own.message === shout.message) {
            unseen.shift();
            item = own.item;
            item.remove();
            setState(item, unacked.has(own.ref) ? 'sent' : 'confirmed', unacked.has(own.ref) ? 'sent' : '');
        } else {
            item = render(shout.name, shout.message);
            setState(item, 'confirmed', '');
        }
        item.dataset.id = shout.id;
        const when = item.querySelector('.when');
        const time = new Date(shout.insertedAt);
        when.dateTime = shout.insertedAt;
        when.textContent = time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
        when.title = time.toLocaleString();
        shown.set(shout.id, item);
        insertInOrder(item);
        return true;
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
        const name = el.name.value.trim();
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
        socket.send(JSON.stringify({ type: 'shout', name, message, ref }));
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
    el.name.value = localStorage.getItem(NAME_KEY) || '';
    el.name.addEventListener('input', () => {
        localStorage.setItem(NAME_KEY, el.name.value);
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
    window.addEventListener('hashchange', () => switchRoom(roomFromHash()));
    // The network is back: reconnect now rather than at the end of the backoff
    window.addEventListener('online', () => {
        if (!socket && room) {
            attempt = 0;
            connect();
        }
    });

    switchRoom(roomFromHash());
    (el.name.value ? el.message : el.name).focus();
})();
