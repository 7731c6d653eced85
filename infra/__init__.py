"""AWS CDK app: stacks composed from the action declarations (see app.py)."""
