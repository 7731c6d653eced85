"""What the bundle looks like from outside: deployed names and the Genesys definitions of each action.

Imported by ``infra`` (the CDK app: names, API models) and ``local`` (the CLI: export, publish);
it imports neither of them, only the declarations in ``functions`` and the runtime's data types.

* ``naming``: every deployed name (functions, secrets, stacks, outputs, routes), in one place;
* ``contracts``: input/output contracts as Genesys JSON Schema (draft-04) and the contract rules;
* ``lambda_integration``: the AWS Lambda data actions definition of an action;
* ``web_services``: the web services (``custom-rest-actions``) definition of an action.
"""
