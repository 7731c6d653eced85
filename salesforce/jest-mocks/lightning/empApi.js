/*
 * lightning/empApi for Jest: the module's documented surface (subscribe, unsubscribe, onError,
 * setDebugFlag, isEmpEnabled) as jest.fn()s that behave like the streaming client, plus helpers
 * for tests to deliver a platform event message and to raise a streaming error.
 */
let active = new Map(); // subscription id -> { subscription, onMessage }
let errorListeners = [];
let lastId = 0;
let replayId = 0;

export const subscribe = jest.fn((channel, replay, onMessage) => {
    lastId += 1;
    const subscription = { id: `_${lastId}`, channel, replayId: replay };
    active.set(subscription.id, { subscription, onMessage });
    return Promise.resolve(subscription);
});

export const unsubscribe = jest.fn((subscription, callback) => {
    const removed = active.delete(subscription && subscription.id);
    if (callback) {
        callback({ successful: removed });
    }
    return Promise.resolve(removed);
});

export const onError = jest.fn((listener) => {
    errorListeners.push(listener);
    return Promise.resolve();
});

export const setDebugFlag = jest.fn(() => Promise.resolve());
export const isEmpEnabled = jest.fn(() => Promise.resolve(true));

/** Deliver a platform event message ({data: {payload, event: {replayId}}}) on `channel`. */
export function jestMockPublish(channel, payload) {
    replayId += 1;
    const message = { channel, data: { schema: 'mock-schema', payload, event: { replayId } } };
    let delivered = 0;
    for (const { subscription, onMessage } of [...active.values()]) {
        if (subscription.channel === channel) {
            onMessage(message);
            delivered += 1;
        }
    }
    return delivered;
}

/** Raise a streaming error, as the CometD client reports it, to every onError listener. */
export function jestMockError(error) {
    for (const listener of [...errorListeners]) {
        listener(error);
    }
}

export function jestMockActiveSubscriptions() {
    return [...active.values()].map((entry) => entry.subscription);
}

export function jestMockReset() {
    active = new Map();
    errorListeners = [];
    lastId = 0;
    replayId = 0;
    subscribe.mockClear();
    unsubscribe.mockClear();
    onError.mockClear();
}
