"""The energy library's errors and their translation keys (see :mod:`..errors`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from ..energy import TariffError
from ..errors import ErrorKey, ErrorTable


class Operation(StrEnum):
    """What the energy entry was doing when the library raised."""

    SETTINGS = "settings"  # reading the stored options (the tariff)


ENERGY_ERRORS: Final = ErrorTable[Operation](
    {Operation.SETTINGS: (ErrorKey(TariffError, "invalid_tariff", ("error",)),)}
)
