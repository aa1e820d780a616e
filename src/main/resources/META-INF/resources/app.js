// Slackir's chat page: one room at a time, over ws://HOST/chat/{room} (protocol v1, DESIGN.md).
// User text is only ever put in the page as text (textContent), never as HTML.
'use strict';

(() => {
    const ROOM_RULE = /^[a-z0-9_-]{1,64}$/;
    const MAX_BACKOFF_MS = 30000;
    const NAME_KEY = 'slackir.name';

    const el = {
        status: document.getElementById('status'),
        roomForm: document.getElementById('room-form'),
        room: document.getElementById('room'),
        messages: document.getElementById('messages'),
        older: document.getElementById('older'),
        form: document.getElementById('shout-form'),
        name: document.getElementById('name'),
        message: document.getElementById('message'),
        nameError: document.getElementById('name-error'),
        messageError: document.getElementById('message-error'),
        template: document.getElementById('message-template'),
    };

    let room = null;
    let socket = null;
    /** The id the current connection asked to start after, or null for the latest history. */
    let after = null;
    let attempt = 0;
    let retryTimer = null;
    let refs = 0;
    /** The shouts shown, by id: a shout is never shown twice. */
    const shown = new Map();
    /** Own shouts sent and not yet seen broadcast, oldest first. */
    const unseen = [];
    /** Own shouts waiting for their ack, by ref. */
    const unacked = new Map();

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

    function connect() {
        clearTimeout(retryTimer);
        const url = new URL(`/chat/${room}`, location.href);
        url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
        after = lastId();
        if (after) {
            url.searchParams.set('after', after);
        }
        const ws = new WebSocket(url);
        socket = ws;
        setStatus(attempt > 0 ? 'Reconnecting…' : 'Connecting…', attempt > 0);
        ws.onmessage = (event) => {
            if (ws === socket) {
                keepingBottom(() => receive(JSON.parse(event.data)));
            }
        };
        ws.onclose = () => {
            if (ws === socket) {
                socket = null;
                lostConnection();
            }
        };
    }

    function lostConnection() {
        // Shouts not seen broadcast may never have arrived: say so, the history after reconnecting shows those that did
        for (const pending of unseen.splice(0)) {
            markFailed(pending.item, 'not sent: the connection was lost');
            unacked.delete(pending.ref);
        }
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
        shown.clear();
        unseen.length = 0;
        unacked.clear();
        el.messages.replaceChildren();
        el.older.hidden = true;
        attempt = 0;
        connect();
    }

    function receive(frame) {
        switch (frame.type) {
            case 'history':
                frame.messages.forEach(show);
                attempt = 0;
                setStatus(`Connected to #${room}`, false);
                if (!frame.complete && after && frame.messages.length > 0) {
                    fillGap(room, after, frame.messages[0].id);
                } else if (!frame.complete && !after) {
                    el.older.hidden = false;
                }
                break;
            case 'shout':
                show(frame);
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

    /** Shows a shout once, in id order (ids sort in acceptance order). An own pending shout becomes it. */
    function show(shout) {
        if (shown.has(shout.id)) {
            return;
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
        el.messages.parentElement.scrollTop = el.messages.parentElement.scrollHeight;
        unseen.push({ ref, name, message, item });
        unacked.set(ref, item);
        socket.send(JSON.stringify({ type: 'shout', name, message, ref }));
        el.message.value = '';
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
    el.name.value = localStorage.getItem(NAME_KEY) || '';
    el.name.addEventListener('input', () => localStorage.setItem(NAME_KEY, el.name.value));
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
