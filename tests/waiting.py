"""The one way tests wait: until a condition holds, never for a fixed time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import inspect

#: Upper bound for one wait; generous, because a loaded 2-core machine is slow, and a wait
#: that holds returns as soon as its condition does.
DEFAULT_LIMIT = 10.0


async def wait_for(
    condition: Callable[[], bool | Awaitable[bool]],
    *,
    limit: float = DEFAULT_LIMIT,
    what: str | Callable[[], str] = "the condition",
) -> None:
    """Return as soon as ``condition()`` is true; fail naming ``what`` after ``limit`` seconds.

    ``condition`` may be a coroutine function (e.g. one that lets Home Assistant finish its
    work first).  Between checks the event loop runs other tasks: datagrams arrive, timers fire.
    """
    try:
        async with asyncio.timeout(limit):
            while True:
                result = condition()
                if inspect.isawaitable(result):
                    result = await result
                if result:
                    return
                await asyncio.sleep(0.01)
    except TimeoutError:
        described = what() if callable(what) else what
        raise AssertionError(f"waited {limit} s for {described}") from None
