/*
 * Presence sync in the agent's console: the engine's hands in the browser.
 *
 * - Receives Presence_Command__e through lightning/empApi and applies the ones for this user with
 *   the Omni-Channel toolkit (SetStatus -> setServicePresenceStatus, Logout -> logout). Commands
 *   for other users, expired commands and commands already applied are dropped. A command that
 *   fails to apply is logged and nothing is published: the engine's reconciliation heals it.
 * - Publishes one Presence_Change__e (through Apex) for every Omni status change and logout, with
 *   Omni's reason, and with the CommandId when the change is the result of a command applied here
 *   (same status within ECHO_WINDOW_MS after applying), so the engine can drop its own echo.
 *
 * The Omni toolkit and its events are Aura-only, and background utility items must be Aura, so
 * the thin Aura item c:presenceSyncUtility hosts this component: it calls handleStatusChanged /
 * handleLogout on Omni's events, and runs the toolkit call of each `omnirequest` event, answering
 * through omniResult(requestId, error).
 */
import { LightningElement, api } from 'lwc';
import { subscribe, unsubscribe, onError } from 'lightning/empApi';
import USER_ID from '@salesforce/user/Id';
import publishChange from '@salesforce/apex/PresenceChangePublisher.publishChange';

const CHANNEL = '/event/Presence_Command__e';
const NEW_EVENTS_ONLY = -1;
const ECHO_WINDOW_MS = 10000; // a change to the commanded status within this window is the command's echo
const TOOLKIT_TIMEOUT_MS = 15000; // a toolkit call the bridge never answers fails after this
const RESUBSCRIBE_BASE_MS = 1000; // empApi backoff: 1 s, 2 s, 4 s ... up to 60 s, plus up to 20% jitter
const RESUBSCRIBE_MAX_MS = 60000;
const STABLE_MS = 60000; // a subscription that lived this long resets the backoff
const PUBLISH_RETRY_MS = [1000, 4000]; // waits before the 2nd and 3rd attempt (same ChangeId)
const MAX_REMEMBERED = 500; // applied CommandIds kept (each only until it expires)
const LOGOUT_REASON = 'OmniLogout';
const OFFLINE_API_NAME = 'Offline';
const LOG = '[presenceSync]';

function sameId(a, b) {
    // 15- and 18-character forms of one Id share their first 15 (case-sensitive) characters.
    return (
        typeof a === 'string' &&
        typeof b === 'string' &&
        a.length >= 15 &&
        b.length >= 15 &&
        a.slice(0, 15) === b.slice(0, 15)
    );
}

function toMillis(value) {
    if (typeof value === 'number') {
        return value;
    }
    return typeof value === 'string' ? Date.parse(value) : NaN;
}

function describe(error) {
    // Enough to diagnose, never a payload: CometD errors carry `error`, Apex errors `body.message`.
    if (!error) {
        return 'unknown error';
    }
    if (error.body && error.body.message) {
        return error.body.message;
    }
    return String(error.error || error.message || error);
}

function newChangeId() {
    const c = typeof crypto !== 'undefined' ? crypto : undefined;
    if (c && typeof c.randomUUID === 'function') {
        return c.randomUUID();
    }
    const bytes = new Uint8Array(16);
    if (c && typeof c.getRandomValues === 'function') {
        c.getRandomValues(bytes);
    } else {
        for (let i = 0; i < bytes.length; i++) {
            bytes[i] = Math.floor(Math.random() * 256);
        }
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // RFC 4122 version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function sleep(ms) {
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    return new Promise((resolve) => setTimeout(resolve, ms));
}

function noop() {}

export default class PresenceSync extends LightningElement {
    connected = false;
    errorListener = false;
    subscription = null;
    subscribedAt = 0;
    failures = 0;
    resubscribeTimer = null;
    seen = new Map(); // CommandId -> expiry (ms): each command is applied once
    pending = []; // commands applied here whose change has not been seen: {commandId, action, statusId, until}
    requests = new Map(); // toolkit calls waiting for the bridge: requestId -> {resolve, reject, timer}
    lastRequest = 0;
    applying = Promise.resolve(); // commands are applied one at a time, in arrival order
    publishing = Promise.resolve(); // changes are published one at a time, in the order seen

    connectedCallback() {
        this.connected = true;
        if (!this.errorListener) {
            // empApi has one global error listener list and no way to remove one: register once.
            this.errorListener = true;
            onError((error) => this.handleStreamingError(error));
        }
        this.subscribeToCommands();
    }

    disconnectedCallback() {
        this.connected = false;
        clearTimeout(this.resubscribeTimer);
        this.resubscribeTimer = null;
        for (const request of this.requests.values()) {
            clearTimeout(request.timer);
            request.reject(new Error('console component disconnected'));
        }
        this.requests.clear();
        this.dropSubscription();
    }

    // ---- Omni -> engine (called by the Aura bridge) ----

    /** Omni reported a status change ({statusId, statusApiName, reason}). */
    @api
    handleStatusChanged(detail) {
        const { statusId, statusApiName, reason } = detail || {};
        if (!statusId || !statusApiName || !reason) {
            console.error(LOG, 'Omni status change without statusId, statusApiName or reason: not published');
            return undefined;
        }
        const marker = this.takeMarker((m) => m.action === 'SetStatus' && sameId(m.statusId, statusId));
        return this.publish({ statusId, statusApiName, reason, commandId: marker ? marker.commandId : null });
    }

    /** Omni reported a logout. */
    @api
    handleLogout() {
        const marker = this.takeMarker((m) => m.action === 'Logout');
        return this.publish({
            statusId: null,
            statusApiName: OFFLINE_API_NAME,
            reason: LOGOUT_REASON,
            commandId: marker ? marker.commandId : null
        });
    }

    /** The bridge's answer to an `omnirequest`: error is null on success. */
    @api
    omniResult(requestId, error) {
        const request = this.requests.get(requestId);
        if (!request) {
            return; // answered after the timeout
        }
        this.requests.delete(requestId);
        clearTimeout(request.timer);
        if (error) {
            request.reject(new Error(String(error)));
        } else {
            request.resolve();
        }
    }

    takeMarker(matches) {
        const now = Date.now();
        this.pending = this.pending.filter((m) => m.until > now);
        const index = this.pending.findIndex(matches);
        return index < 0 ? null : this.pending.splice(index, 1)[0];
    }

    publish({ statusId, statusApiName, reason, commandId }) {
        const change = {
            statusId,
            statusApiName,
            reason,
            changedAt: new Date().toISOString(),
            commandId: commandId || null,
            changeId: newChangeId()
        };
        this.publishing = this.publishing.then(() => this.publishWithRetry(change));
        return this.publishing;
    }

    async publishWithRetry(change) {
        for (let attempt = 0; ; attempt++) {
            try {
                // eslint-disable-next-line no-await-in-loop
                await publishChange(change);
                return;
            } catch (error) {
                if (attempt >= PUBLISH_RETRY_MS.length) {
                    console.error(LOG, `change ${change.changeId} (${change.reason}) not published:`, describe(error));
                    return;
                }
                // eslint-disable-next-line no-await-in-loop
                await sleep(PUBLISH_RETRY_MS[attempt]);
            }
        }
    }

    // ---- engine -> Omni ----

    async subscribeToCommands() {
        this.resubscribeTimer = null;
        if (!this.connected) {
            return;
        }
        let subscription;
        try {
            subscription = await subscribe(CHANNEL, NEW_EVENTS_ONLY, (message) => this.handleCommandMessage(message));
        } catch (error) {
            console.error(LOG, `subscribe to ${CHANNEL} failed:`, describe(error));
            this.scheduleResubscribe();
            return;
        }
        if (!subscription) {
            console.error(LOG, `subscribe to ${CHANNEL} returned no subscription`);
            this.scheduleResubscribe();
            return;
        }
        this.subscription = subscription;
        this.subscribedAt = Date.now();
        if (!this.connected) {
            this.dropSubscription();
        }
    }

    handleStreamingError(error) {
        if (!this.connected) {
            return;
        }
        console.error(LOG, 'streaming error, resubscribing:', describe(error));
        if (this.subscribedAt && Date.now() - this.subscribedAt >= STABLE_MS) {
            this.failures = 0;
        }
        this.subscribedAt = 0;
        this.dropSubscription();
        this.scheduleResubscribe();
    }

    dropSubscription() {
        const subscription = this.subscription;
        this.subscription = null;
        if (!subscription) {
            return;
        }
        try {
            Promise.resolve(unsubscribe(subscription, noop)).catch(noop);
        } catch (e) {
            // the client may already be gone; a new subscription replaces it
        }
    }

    scheduleResubscribe() {
        if (!this.connected || this.resubscribeTimer) {
            return;
        }
        const delay = Math.min(RESUBSCRIBE_MAX_MS, RESUBSCRIBE_BASE_MS * 2 ** this.failures);
        this.failures += 1;
        const jitter = Math.floor(Math.random() * delay * 0.2);
        // eslint-disable-next-line @lwc/lwc/no-async-operation
        this.resubscribeTimer = setTimeout(() => this.subscribeToCommands(), delay + jitter);
    }

    handleCommandMessage(message) {
        const command = message && message.data && message.data.payload;
        if (!this.connected || !command || !sameId(command.UserId__c, USER_ID)) {
            return; // every console receives every command; only the addressee acts
        }
        const commandId = command.CommandId__c;
        if (!commandId) {
            console.warn(LOG, 'command without CommandId__c ignored');
            return;
        }
        const now = Date.now();
        const expiresAt = toMillis(command.ExpiresAt__c);
        if (!(expiresAt > now)) {
            console.info(LOG, `command ${commandId} expired or without a valid ExpiresAt__c: ignored`);
            return;
        }
        this.forgetExpired(now);
        if (this.seen.has(commandId)) {
            console.info(LOG, `command ${commandId} already applied: ignored`);
            return;
        }
        this.remember(commandId, expiresAt);
        this.applying = this.applying
            .then(() => this.apply(command, expiresAt))
            .catch((error) => console.error(LOG, `command ${commandId} failed:`, describe(error)));
    }

    forgetExpired(now) {
        // An expired id can be forgotten: a replay of it is dropped for being expired.
        for (const [id, expiresAt] of this.seen) {
            if (expiresAt <= now) {
                this.seen.delete(id);
            }
        }
    }

    remember(commandId, expiresAt) {
        this.seen.set(commandId, expiresAt);
        if (this.seen.size > MAX_REMEMBERED) {
            this.seen.delete(this.seen.keys().next().value);
        }
    }

    async apply(command, expiresAt) {
        const commandId = command.CommandId__c;
        const action = command.Action__c;
        if (!this.connected) {
            return;
        }
        if (Date.now() >= expiresAt) {
            console.info(LOG, `command ${commandId} expired while queued: ignored`);
            return;
        }
        let call;
        let statusId = null;
        if (action === 'SetStatus') {
            statusId = command.StatusId__c;
            if (!statusId) {
                console.warn(LOG, `command ${commandId}: SetStatus without StatusId__c ignored`);
                return;
            }
            call = () => this.callOmni('setServicePresenceStatus', { statusId });
        } else if (action === 'Logout') {
            call = () => this.callOmni('logout', {});
        } else {
            console.warn(LOG, `command ${commandId}: unknown Action__c ignored`);
            return;
        }
        // Registered before the call: Omni may report the change before the toolkit answers.
        const now = Date.now();
        const marker = { commandId, action, statusId, until: now + ECHO_WINDOW_MS };
        this.pending = this.pending.filter((m) => m.until > now);
        this.pending.push(marker);
        try {
            await call();
        } catch (error) {
            this.pending = this.pending.filter((m) => m !== marker);
            console.error(LOG, `command ${commandId} (${action}) not applied:`, describe(error));
        }
    }

    callOmni(method, args) {
        this.lastRequest += 1;
        const requestId = `omni-${this.lastRequest}`;
        return new Promise((resolve, reject) => {
            // eslint-disable-next-line @lwc/lwc/no-async-operation
            const timer = setTimeout(() => {
                this.requests.delete(requestId);
                reject(new Error(`${method}: no answer from the Omni toolkit in ${TOOLKIT_TIMEOUT_MS} ms`));
            }, TOOLKIT_TIMEOUT_MS);
            this.requests.set(requestId, { resolve, reject, timer });
            this.dispatchEvent(new CustomEvent('omnirequest', { detail: { requestId, method, ...args } }));
        });
    }
}
