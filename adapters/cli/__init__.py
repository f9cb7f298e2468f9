"""The `memo-bot` command line: the composition root, and the one place that knows every
platform (``adapters.cli.registry``). It reads settings, connects storage, builds the core
and starts what is configured; the core and storage know no platform.
"""
