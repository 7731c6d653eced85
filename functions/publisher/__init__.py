"""Publishing the bundle's data actions to Genesys Cloud through the Platform API.

* ``platform``: the Platform API client (client credentials token, ErrorBody errors, paging, 429
  with ``Retry-After``), counting reads and writes;
* ``reconcile``: what Genesys has (integration, credential, actions, drafts) against what the
  declarations want, the plan between them, and applying it idempotently (a second run only reads);
* ``handler``: the CloudFormation custom resource (``-c genesysPublish=true``): publish on
  create/update, remove on delete.

``./dev genesys publish|status|test|remove`` (``local/genesys_publish.py``) and the custom resource
share this code; the desired state they hand it is derived in ``definitions/genesys_api.py``.
No action is declared here (no ``actions`` module): it is not a backend family.
"""
