/*
 * c/presenceSync with its real Aura bridge (presenceSyncUtilityController.js, evaluated here with a
 * fake component and fake Aura events), a mock Omni toolkit behind it, the empApi mock
 * (jest-mocks/lightning/empApi.js) and the Apex method mocked as sfdx-lwc-jest documents.
 */
import fs from 'fs';
import path from 'path';
import { createElement } from 'lwc';
import PresenceSync from 'c/presenceSync';
import {
    subscribe,
    unsubscribe,
    onError,
    jestMockPublish,
    jestMockError,
    jestMockActiveSubscriptions,
    jestMockReset
} from 'lightning/empApi';
import publishChange from '@salesforce/apex/PresenceChangePublisher.publishChange';

jest.mock('@salesforce/apex/PresenceChangePublisher.publishChange', () => ({ default: jest.fn() }), {
    virtual: true
});

const CHANNEL = '/event/Presence_Command__e';
const ME = '005000000000001AAA'; // jest-mocks/salesforce/userId.js
const SOMEONE_ELSE = '005000000000002AAA';
const AVAILABLE = '0N5000000000001CAA';
const BUSY = '0N5000000000002CAA';
const NOW = new Date('2026-03-02T09:30:00.000Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// The Aura controller exactly as deployed: an object literal that uses the $A global.
const controllerSource = fs.readFileSync(
    path.join(__dirname, '..', '..', '..', 'aura', 'presenceSyncUtility', 'presenceSyncUtilityController.js'),
    'utf8'
);
// eslint-disable-next-line no-new-func
const bridge = new Function('$A', `return ${controllerSource};`)({ getCallback: (fn) => fn });

function auraEvent(params) {
    return { getParam: (name) => params[name] };
}

function mount() {
    const omni = {
        setServicePresenceStatus: jest.fn(({ statusId }) =>
            Promise.resolve({ statusId, statusApiName: 'X', statusName: 'X', channels: '[]' })
        ),
        logout: jest.fn(() => Promise.resolve(true))
    };
    const element = createElement('c-presence-sync', { is: PresenceSync });
    const cmp = { find: (auraId) => ({ sync: element, omniToolkit: omni })[auraId] };
    // <c:presenceSync onomnirequest="{!c.onOmniRequest}"/>: Aura exposes the detail as params.
    element.addEventListener('omnirequest', (event) => bridge.onOmniRequest(cmp, auraEvent(event.detail)));
    document.body.appendChild(element);
    return {
        element,
        omni,
        // Omni's application events, through the bridge
        statusChanged: (statusId, statusApiName, reason) =>
            bridge.onStatusChanged(
                cmp,
                auraEvent({ statusId, statusApiName, reason, statusName: statusApiName, channels: '[]' })
            ),
        loggedOut: () => bridge.onLogout(cmp, auraEvent({ reason: 'DuplicateLogin' }))
    };
}

function command(fields) {
    return {
        CommandId__c: 'cmd-1',
        UserId__c: ME,
        Action__c: 'SetStatus',
        StatusId__c: AVAILABLE,
        StatusApiName__c: 'Available_Chat',
        ExpiresAt__c: new Date(Date.now() + 30000).toISOString(),
        CreatedDate: new Date(Date.now()).toISOString(),
        CreatedById: '005000000000009AAA',
        ...fields
    };
}

// Let promise chains and due timers run (fake timers: advancing by 0 also drains microtasks).
const settle = (ms = 0) => jest.advanceTimersByTimeAsync(ms);

async function mounted() {
    const harness = mount();
    await settle();
    return harness;
}

describe('c-presence-sync', () => {
    let consoleError;
    let consoleWarn;
    let consoleInfo;

    beforeEach(() => {
        jest.useFakeTimers();
        jest.setSystemTime(NOW);
        publishChange.mockReset();
        publishChange.mockResolvedValue(undefined);
        consoleError = jest.spyOn(console, 'error').mockImplementation(() => {});
        consoleWarn = jest.spyOn(console, 'warn').mockImplementation(() => {});
        consoleInfo = jest.spyOn(console, 'info').mockImplementation(() => {});
    });

    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jestMockReset();
        jest.restoreAllMocks();
        jest.useRealTimers();
    });

    describe('commands (engine -> Omni)', () => {
        it('subscribes to the command channel for new events only and listens for streaming errors', async () => {
            await mounted();

            expect(subscribe).toHaveBeenCalledTimes(1);
            expect(subscribe).toHaveBeenCalledWith(CHANNEL, -1, expect.any(Function));
            expect(onError).toHaveBeenCalledTimes(1);
            expect(jestMockActiveSubscriptions()).toHaveLength(1);
        });

        it('applies SetStatus with the toolkit, passing the status id', async () => {
            const { omni } = await mounted();

            jestMockPublish(CHANNEL, command({ StatusId__c: BUSY }));
            await settle();

            expect(omni.setServicePresenceStatus).toHaveBeenCalledTimes(1);
            expect(omni.setServicePresenceStatus).toHaveBeenCalledWith({ statusId: BUSY });
            expect(omni.logout).not.toHaveBeenCalled();
            expect(publishChange).not.toHaveBeenCalled(); // only Omni's own event causes a change
        });

        it('applies Logout with the toolkit', async () => {
            const { omni } = await mounted();

            jestMockPublish(CHANNEL, command({ Action__c: 'Logout', StatusId__c: null, StatusApiName__c: null }));
            await settle();

            expect(omni.logout).toHaveBeenCalledTimes(1);
            expect(omni.logout).toHaveBeenCalledWith();
            expect(omni.setServicePresenceStatus).not.toHaveBeenCalled();
        });

        it('ignores commands for another user', async () => {
            const { omni } = await mounted();

            jestMockPublish(CHANNEL, command({ UserId__c: SOMEONE_ELSE }));
            jestMockPublish(CHANNEL, command({ UserId__c: ME.slice(0, 14) + 'X' }));
            jestMockPublish(CHANNEL, command({ UserId__c: null }));
            await settle();

            expect(omni.setServicePresenceStatus).not.toHaveBeenCalled();
            expect(omni.logout).not.toHaveBeenCalled();
        });

        it("accepts the 15-character form of the user's id", async () => {
            const { omni } = await mounted();

            jestMockPublish(CHANNEL, command({ UserId__c: ME.slice(0, 15) }));
            await settle();

            expect(omni.setServicePresenceStatus).toHaveBeenCalledWith({ statusId: AVAILABLE });
        });

        it('ignores an expired command and one without a valid expiry', async () => {
            const { omni } = await mounted();

            jestMockPublish(CHANNEL, command({ CommandId__c: 'old', ExpiresAt__c: new Date(Date.now() - 1).toISOString() }));
            jestMockPublish(CHANNEL, command({ CommandId__c: 'now', ExpiresAt__c: new Date(Date.now()).toISOString() }));
            jestMockPublish(CHANNEL, command({ CommandId__c: 'none', ExpiresAt__c: null }));
            jestMockPublish(CHANNEL, command({ CommandId__c: 'garbage', ExpiresAt__c: 'tomorrow' }));
            await settle();

            expect(omni.setServicePresenceStatus).not.toHaveBeenCalled();
            expect(consoleInfo).toHaveBeenCalledWith('[presenceSync]', expect.stringContaining('command old expired'));
        });

        it('applies a duplicated command once, and a different command again', async () => {
            const { omni } = await mounted();

            jestMockPublish(CHANNEL, command({ CommandId__c: 'cmd-7', StatusId__c: BUSY }));
            jestMockPublish(CHANNEL, command({ CommandId__c: 'cmd-7', StatusId__c: BUSY }));
            await settle(5000);
            jestMockPublish(CHANNEL, command({ CommandId__c: 'cmd-7', StatusId__c: BUSY }));
            jestMockPublish(CHANNEL, command({ CommandId__c: 'cmd-8', StatusId__c: AVAILABLE }));
            await settle();

            expect(omni.setServicePresenceStatus.mock.calls).toEqual([[{ statusId: BUSY }], [{ statusId: AVAILABLE }]]);
        });

        it('applies commands one at a time, in arrival order', async () => {
            const { omni } = await mounted();
            let finishFirst;
            omni.setServicePresenceStatus.mockImplementationOnce(
                () =>
                    new Promise((resolve) => {
                        finishFirst = resolve;
                    })
            );

            jestMockPublish(CHANNEL, command({ CommandId__c: 'a', StatusId__c: BUSY }));
            jestMockPublish(CHANNEL, command({ CommandId__c: 'b', StatusId__c: AVAILABLE }));
            await settle();
            expect(omni.setServicePresenceStatus.mock.calls).toEqual([[{ statusId: BUSY }]]);

            finishFirst({});
            await settle();
            expect(omni.setServicePresenceStatus.mock.calls).toEqual([[{ statusId: BUSY }], [{ statusId: AVAILABLE }]]);
        });

        it('ignores an unknown action and a SetStatus without a status', async () => {
            const { omni } = await mounted();

            jestMockPublish(CHANNEL, command({ CommandId__c: 'x', Action__c: 'Dance' }));
            jestMockPublish(CHANNEL, command({ CommandId__c: 'y', StatusId__c: null }));
            await settle();

            expect(omni.setServicePresenceStatus).not.toHaveBeenCalled();
            expect(omni.logout).not.toHaveBeenCalled();
            expect(consoleWarn).toHaveBeenCalledTimes(2);
        });

        it('logs a command the toolkit fails to apply and publishes nothing for it', async () => {
            const { omni, statusChanged } = await mounted();
            omni.setServicePresenceStatus.mockRejectedValueOnce(new Error('status not enabled for this profile'));

            jestMockPublish(CHANNEL, command({ CommandId__c: 'cmd-f', StatusId__c: BUSY }));
            await settle();

            expect(publishChange).not.toHaveBeenCalled();
            expect(consoleError).toHaveBeenCalledWith(
                '[presenceSync]',
                'command cmd-f (SetStatus) not applied:',
                'status not enabled for this profile'
            );
            // A later manual change to that status is not attributed to the failed command.
            statusChanged(BUSY, 'Busy', 'OmniManualStatusChange');
            await settle();
            expect(publishChange).toHaveBeenCalledWith(expect.objectContaining({ commandId: null }));
        });
    });

    describe('changes (Omni -> engine)', () => {
        it('publishes the change a command caused, with the reason and the CommandId', async () => {
            const { statusChanged } = await mounted();

            jestMockPublish(CHANNEL, command({ CommandId__c: 'cmd-42', StatusId__c: BUSY }));
            await settle(1500);
            // Omni reports the 15-character form of the id
            statusChanged(BUSY.slice(0, 15), 'Busy', 'OmniToolkitStatusChange');
            await settle();

            expect(publishChange).toHaveBeenCalledTimes(1);
            const change = publishChange.mock.calls[0][0];
            expect(change).toEqual({
                statusId: BUSY.slice(0, 15),
                statusApiName: 'Busy',
                reason: 'OmniToolkitStatusChange',
                changedAt: '2026-03-02T09:30:01.500Z',
                commandId: 'cmd-42',
                changeId: expect.stringMatching(UUID)
            });
        });

        it('publishes a manual change without a CommandId', async () => {
            const { statusChanged } = await mounted();

            statusChanged(AVAILABLE, 'Available_Chat', 'OmniManualStatusChange');
            await settle();

            expect(publishChange).toHaveBeenCalledTimes(1);
            expect(publishChange.mock.calls[0][0]).toEqual({
                statusId: AVAILABLE,
                statusApiName: 'Available_Chat',
                reason: 'OmniManualStatusChange',
                changedAt: NOW.toISOString(),
                commandId: null,
                changeId: expect.stringMatching(UUID)
            });
        });

        it('attributes only a change to the commanded status, once, within the echo window', async () => {
            const { statusChanged } = await mounted();

            jestMockPublish(CHANNEL, command({ CommandId__c: 'cmd-1', StatusId__c: BUSY }));
            await settle();
            statusChanged(AVAILABLE, 'Available_Chat', 'OmniPushTimeout'); // another status: not the echo
            statusChanged(BUSY, 'Busy', 'OmniToolkitStatusChange'); // the echo
            statusChanged(BUSY, 'Busy', 'OmniSupervisorStatusChange'); // marker already used
            jestMockPublish(CHANNEL, command({ CommandId__c: 'cmd-2', StatusId__c: AVAILABLE }));
            await settle(10001);
            statusChanged(AVAILABLE, 'Available_Chat', 'OmniToolkitStatusChange'); // after the window
            await settle();

            expect(publishChange.mock.calls.map(([c]) => [c.statusId, c.reason, c.commandId])).toEqual([
                [AVAILABLE, 'OmniPushTimeout', null],
                [BUSY, 'OmniToolkitStatusChange', 'cmd-1'],
                [BUSY, 'OmniSupervisorStatusChange', null],
                [AVAILABLE, 'OmniToolkitStatusChange', null]
            ]);
        });

        it('gives every change its own ChangeId', async () => {
            const { statusChanged } = await mounted();

            statusChanged(AVAILABLE, 'Available_Chat', 'OmniManualStatusChange');
            statusChanged(AVAILABLE, 'Available_Chat', 'OmniManualStatusChange');
            await settle();

            const [first, second] = publishChange.mock.calls.map(([c]) => c.changeId);
            expect(first).toMatch(UUID);
            expect(second).toMatch(UUID);
            expect(first).not.toEqual(second);
        });

        it('publishes a logout as Offline with reason OmniLogout, with the CommandId of a Logout command', async () => {
            const { loggedOut } = await mounted();

            jestMockPublish(CHANNEL, command({ CommandId__c: 'cmd-out', Action__c: 'Logout', StatusId__c: null }));
            await settle();
            loggedOut();
            loggedOut(); // a second logout (for example from a supervisor) is not the command's
            await settle();

            expect(publishChange.mock.calls.map(([c]) => c)).toEqual([
                {
                    statusId: null,
                    statusApiName: 'Offline',
                    reason: 'OmniLogout',
                    changedAt: NOW.toISOString(),
                    commandId: 'cmd-out',
                    changeId: expect.stringMatching(UUID)
                },
                expect.objectContaining({ reason: 'OmniLogout', commandId: null })
            ]);
        });

        it('does not publish a status change that lacks the reason', async () => {
            const { statusChanged } = await mounted();

            statusChanged(AVAILABLE, 'Available_Chat', undefined);
            await settle();

            expect(publishChange).not.toHaveBeenCalled();
            expect(consoleError).toHaveBeenCalledTimes(1);
        });

        it('retries a failed publish with the same ChangeId, then gives up', async () => {
            const { statusChanged } = await mounted();
            publishChange.mockRejectedValue({ body: { message: 'Unable to publish' } });

            statusChanged(AVAILABLE, 'Available_Chat', 'OmniManualStatusChange');
            await settle();
            expect(publishChange).toHaveBeenCalledTimes(1);
            await settle(1000);
            expect(publishChange).toHaveBeenCalledTimes(2);
            await settle(4000);
            expect(publishChange).toHaveBeenCalledTimes(3);
            await settle(60000);
            expect(publishChange).toHaveBeenCalledTimes(3);

            const ids = publishChange.mock.calls.map(([c]) => c.changeId);
            expect(new Set(ids).size).toBe(1);
            expect(consoleError).toHaveBeenCalledWith(
                '[presenceSync]',
                `change ${ids[0]} (OmniManualStatusChange) not published:`,
                'Unable to publish'
            );
        });

        it('publishes changes in the order Omni reported them, even across a retry', async () => {
            const { statusChanged } = await mounted();
            publishChange.mockRejectedValueOnce(new Error('transient'));

            statusChanged(AVAILABLE, 'Available_Chat', 'OmniManualStatusChange');
            statusChanged(BUSY, 'Busy', 'OmniManualStatusChange');
            await settle(1000);

            expect(publishChange.mock.calls.map(([c]) => c.statusId)).toEqual([AVAILABLE, AVAILABLE, BUSY]);
        });
    });

    describe('streaming errors', () => {
        it('resubscribes after an empApi error, with backoff, and keeps applying commands once', async () => {
            jest.spyOn(Math, 'random').mockReturnValue(0); // no jitter
            const { omni } = await mounted();
            const [first] = jestMockActiveSubscriptions();

            jestMockError({ channel: '/meta/connect', error: '403::Unknown client', successful: false });
            await settle();
            expect(unsubscribe).toHaveBeenCalledWith(first, expect.any(Function));
            expect(jestMockActiveSubscriptions()).toHaveLength(0);
            await settle(999);
            expect(subscribe).toHaveBeenCalledTimes(1);
            await settle(1);
            expect(subscribe).toHaveBeenCalledTimes(2);
            expect(subscribe).toHaveBeenLastCalledWith(CHANNEL, -1, expect.any(Function));
            expect(jestMockActiveSubscriptions()).toHaveLength(1);

            // A second error soon after: the wait doubles.
            jestMockError({ channel: '/meta/connect', error: '403::Unknown client', successful: false });
            await settle(1999);
            expect(subscribe).toHaveBeenCalledTimes(2);
            await settle(1);
            expect(subscribe).toHaveBeenCalledTimes(3);

            expect(jestMockPublish(CHANNEL, command({ CommandId__c: 'after' }))).toBe(1);
            await settle();
            expect(omni.setServicePresenceStatus).toHaveBeenCalledTimes(1);
        });

        it('starts the backoff again after a subscription that stayed up', async () => {
            jest.spyOn(Math, 'random').mockReturnValue(0);
            await mounted();

            jestMockError({ error: 'boom' });
            await settle(1000);
            jestMockError({ error: 'boom' });
            await settle(2000);
            expect(subscribe).toHaveBeenCalledTimes(3);

            await settle(60000);
            jestMockError({ error: 'boom' });
            await settle(1000);
            expect(subscribe).toHaveBeenCalledTimes(4);
        });

        it('retries a subscribe that fails', async () => {
            jest.spyOn(Math, 'random').mockReturnValue(0);
            subscribe.mockRejectedValueOnce(new Error('handshake failed'));
            const { omni } = await mounted();

            expect(jestMockActiveSubscriptions()).toHaveLength(0);
            expect(consoleError).toHaveBeenCalledWith(
                '[presenceSync]',
                `subscribe to ${CHANNEL} failed:`,
                'handshake failed'
            );
            await settle(1000);
            expect(subscribe).toHaveBeenCalledTimes(2);
            expect(jestMockActiveSubscriptions()).toHaveLength(1);

            jestMockPublish(CHANNEL, command());
            await settle();
            expect(omni.setServicePresenceStatus).toHaveBeenCalledWith({ statusId: AVAILABLE });
        });

        it('adds at most 20% jitter to the wait', async () => {
            jest.spyOn(Math, 'random').mockReturnValue(0.999);
            await mounted();

            jestMockError({ error: 'boom' });
            await settle(1000);
            expect(subscribe).toHaveBeenCalledTimes(1);
            await settle(199);
            expect(subscribe).toHaveBeenCalledTimes(2);
        });

        it('unsubscribes and stops resubscribing when removed from the page', async () => {
            jest.spyOn(Math, 'random').mockReturnValue(0);
            const { element } = await mounted();
            const [subscription] = jestMockActiveSubscriptions();

            document.body.removeChild(element);
            await settle();
            expect(unsubscribe).toHaveBeenCalledWith(subscription, expect.any(Function));

            jestMockError({ error: 'boom' });
            await settle(120000);
            expect(subscribe).toHaveBeenCalledTimes(1);
        });
    });
});
