"""Library errors as translated Home Assistant errors: one table per library, one decorator.

Each library has one :class:`ErrorTable` (:mod:`.hub.errors` for ECHONET Lite,
:mod:`.meter.errors` for Wi-SUN, :mod:`.home.errors` for the energy library).  Per operation
it lists which error becomes which translation key, first match first (subclasses before
their bases), and which placeholders the message shows.  Code that calls a library either
wears :func:`translated_errors` or, where it has something to do first (open a repair issue,
back off), raises :meth:`ErrorTable.translate` itself; config flows show :meth:`ErrorTable.key`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any

from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN


@dataclass(frozen=True, slots=True)
class ErrorKey:
    """``error`` (and its subclasses) shown with translation ``key``.

    ``placeholders`` are the names the message uses, taken from the caller's context
    (``error`` is the library's message unless the context says otherwise); ``raise_as``
    replaces the caller's exception class (e.g. ConfigEntryAuthFailed for rejected
    credentials).
    """

    error: type[BaseException]
    key: str
    placeholders: tuple[str, ...] = ()
    raise_as: type[HomeAssistantError] | None = None


class ErrorTable[O: str]:
    """The translation keys of one library's errors, per operation."""

    def __init__(self, operations: Mapping[O, Sequence[ErrorKey]]) -> None:
        self._operations = {operation: tuple(keys) for operation, keys in operations.items()}

    def errors(self, operation: O) -> tuple[type[BaseException], ...]:
        """The error classes ``operation`` translates (for ``except``)."""
        return tuple(item.error for item in self._operations[operation])

    def find(self, operation: O, err: BaseException) -> ErrorKey | None:
        """The entry for ``err`` (None: not an error of this operation)."""
        return next(
            (item for item in self._operations[operation] if isinstance(err, item.error)), None
        )

    def key(self, operation: O, err: BaseException) -> str:
        """The translation key of ``err`` (a config flow's form error)."""
        found = self.find(operation, err)
        if found is None:
            raise ValueError(f"{operation}: no translation for {err!r}") from err
        return found.key

    def translate(
        self,
        operation: O,
        err: BaseException,
        raise_as: type[HomeAssistantError],
        context: Mapping[str, str] | None = None,
    ) -> HomeAssistantError:
        """The translated exception to raise ``from err``."""
        found = self.find(operation, err)
        if found is None:
            raise ValueError(f"{operation}: no translation for {err!r}") from err
        values = {"error": str(err), **(context or {})}
        cls = found.raise_as or raise_as
        if not found.placeholders:
            return cls(translation_domain=DOMAIN, translation_key=found.key)
        return cls(
            translation_domain=DOMAIN,
            translation_key=found.key,
            translation_placeholders={name: values[name] for name in found.placeholders},
        )


def translated_errors[**P, T](
    table: ErrorTable[Any],
    operation: str,
    context: Callable[P, Mapping[str, str]],
    raise_as: type[HomeAssistantError] = HomeAssistantError,
) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Coroutine[Any, Any, T]]]:
    """Raise the library errors of ``operation`` as translated ``raise_as`` errors, with the
    placeholders that ``context`` (called with the same arguments) gives."""

    def decorator(func: Callable[P, Awaitable[T]]) -> Callable[P, Coroutine[Any, Any, T]]:
        @wraps(func)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                return await func(*args, **kwargs)
            except table.errors(operation) as err:
                raise table.translate(operation, err, raise_as, context(*args, **kwargs)) from err

        return wrapper

    return decorator
