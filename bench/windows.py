"""Keeping the load process's own pauses out of a benchmark's measured windows.

The load generator runs in the benchmark's process and timestamps every
request there, so anything that stops that process for a while (its garbage
collector, the kernel writing back a large file it just copied) shows up as
latency of whichever server it happened to be measuring.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_collector_pauses() -> Iterator[None]:
    """Collect, freeze and turn off this process's garbage collector for the window.

    Measured full collections of the load process's heap: 70 to 105 ms in the
    Discord benchmark (its fake Discord holds every payload and callback) and
    up to 42 ms in the Slack one.
    """
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()
