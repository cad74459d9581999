"""Properties a device refused to read (Get_SNA), and when to ask for them again.

A device that is busy or still booting may refuse a whole Get; one that lists a property in
its get map may refuse it now and answer later.  So a refusal is never final:

* an answer refusing *every* property of a multi-property Get marks nothing (the device is
  busy: :func:`transient`);
* a property refused alone (others of the same Get answered, or asked alone) is left out of
  the reads for a while (:func:`refuse`), one minute at first, twice as long after each
  further refusal, at most an hour; then it is asked again (:func:`release_due`);
* every recovery of the node asks for all of them again (:func:`release_all`);
* an answer forgets the refusals of the answered properties (:func:`answered`).

The refused properties are the object's ``unsupported`` set (what reads leave out and
diagnostics show); the retry times are kept here, per object.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final
import weakref

if TYPE_CHECKING:
    from .node import EchonetObject

#: First wait before a refused property is asked again (seconds), and the longest.
FIRST_RETRY: Final = 60.0
MAX_RETRY: Final = 3600.0


@dataclass(slots=True)
class Refusal:
    """How often a property was refused in a row, and when to ask again."""

    count: int
    retry_at: float


@dataclass(slots=True)
class Refusals:
    """The refusals of one object."""

    by_epc: dict[int, Refusal] = field(default_factory=dict)


_BOOK: weakref.WeakKeyDictionary[EchonetObject, Refusals] = weakref.WeakKeyDictionary()


def refusals_of(obj: EchonetObject) -> Refusals:
    """The refusals of ``obj`` (created empty)."""
    book = _BOOK.get(obj)
    if book is None:
        book = _BOOK[obj] = Refusals()
    return book


def transient(chunk: Iterable[int], refused: Iterable[int], answered: int) -> bool:
    """True when an answer refused every property of a Get of several (a busy device)."""
    asked = set(chunk)
    return answered == 0 and len(asked) > 1 and asked <= set(refused)


def refuse(obj: EchonetObject, epcs: Iterable[int], now: float) -> None:
    """``obj`` refused ``epcs`` alone: leave them out, ask again after a growing wait."""
    book = refusals_of(obj).by_epc
    for epc in epcs:
        previous = book.get(epc)
        count = 1 if previous is None else previous.count + 1
        wait = min(MAX_RETRY, FIRST_RETRY * 2 ** (count - 1))
        book[epc] = Refusal(count, now + wait)
        obj.unsupported.add(epc)


def answered(obj: EchonetObject, epcs: Iterable[int]) -> None:
    """``obj`` answered ``epcs``: whatever they were refused before is forgotten."""
    book = _BOOK.get(obj)
    if book is None:
        return
    for epc in epcs:
        if book.by_epc.pop(epc, None) is not None:
            obj.unsupported.discard(epc)


def release_due(obj: EchonetObject, now: float) -> list[int]:
    """Refused properties of ``obj`` whose wait is over: asked again from now on."""
    book = _BOOK.get(obj)
    if book is None:
        return []
    due = [epc for epc, refusal in book.by_epc.items() if refusal.retry_at <= now]
    obj.unsupported.difference_update(due)
    return due


def release_all(obj: EchonetObject) -> list[int]:
    """Ask for every refused property of ``obj`` again (the node recovered)."""
    book = _BOOK.get(obj)
    epcs = sorted(obj.unsupported)
    if book is not None:
        for refusal in book.by_epc.values():
            refusal.retry_at = 0.0
    obj.unsupported.clear()
    return epcs


def retry_at(obj: EchonetObject, epc: int) -> float | None:
    """When ``epc`` of ``obj`` is asked again (None: not refused)."""
    book = _BOOK.get(obj)
    refusal = None if book is None else book.by_epc.get(epc)
    return None if refusal is None else refusal.retry_at
