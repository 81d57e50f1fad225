"""The edges of the pipeline: capture sources, the plain runner, Prefect flows and the CLI.

Importing this package does not import Prefect; ``flows.prefect_flows`` does.
"""
