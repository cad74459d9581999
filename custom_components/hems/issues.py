"""Repair issues: one error-level issue per problem an entry cannot fix itself, deleted once
the problem is gone (the port 3610 that another program holds, the B-route dongle that is
missing), and warning-level notices of work under way (the smart meter's history being
imported, with its progress)."""

from __future__ import annotations

from collections.abc import Mapping

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.issue_registry import IssueSeverity

from .const import DOMAIN


@callback
def async_raise_issue(
    hass: HomeAssistant,
    issue_id: str,
    translation_key: str,
    placeholders: Mapping[str, str],
    *,
    severity: IssueSeverity = IssueSeverity.ERROR,
) -> None:
    """Show (or keep showing) the issue ``issue_id`` (a warning: a notice of work under way)."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=severity,
        translation_key=translation_key,
        translation_placeholders=dict(placeholders),
    )


@callback
def async_clear_issue(hass: HomeAssistant, issue_id: str) -> None:
    """The problem is gone."""
    ir.async_delete_issue(hass, DOMAIN, issue_id)
