({
    // Omni reports a status change: hand it to the LWC (which decides what to publish).
    onStatusChanged: function (cmp, event) {
        cmp.find("sync").handleStatusChanged({
            statusId: event.getParam("statusId"),
            statusApiName: event.getParam("statusApiName"),
            reason: event.getParam("reason")
        });
    },

    onLogout: function (cmp) {
        cmp.find("sync").handleLogout();
    },

    // The LWC asks for a toolkit call (detail: requestId, method, statusId); answer through
    // omniResult(requestId, error) with error null on success.
    onOmniRequest: function (cmp, event) {
        var requestId = event.getParam("requestId");
        var method = event.getParam("method");
        var omni = cmp.find("omniToolkit");
        var call;
        if (method === "setServicePresenceStatus") {
            call = omni.setServicePresenceStatus({ statusId: event.getParam("statusId") });
        } else if (method === "logout") {
            call = omni.logout();
        } else {
            call = Promise.reject(new Error("unsupported Omni toolkit method"));
        }
        call.then(
            $A.getCallback(function () {
                cmp.find("sync").omniResult(requestId, null);
            }),
            $A.getCallback(function (error) {
                var message = (error && error.message) || String(error);
                cmp.find("sync").omniResult(requestId, message);
            })
        );
    }
})
