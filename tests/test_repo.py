"""House rules of the repository, checked on every run."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path
import re
import subprocess
import sys
import tomllib
from typing import Any

from awesomeversion import AwesomeVersion
from homeassistant.const import __version__ as HA_VERSION
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPONENT = ROOT / "custom_components" / "hems"


def _keys(obj: object, prefix: str = "") -> set[str]:
    if isinstance(obj, dict):
        out: set[str] = set()
        for key, value in obj.items():
            out |= _keys(value, f"{prefix}.{key}" if prefix else key)
        return out
    return {prefix}


def test_english_and_japanese_have_the_same_keys() -> None:
    en = json.loads((COMPONENT / "translations" / "en.json").read_text(encoding="utf-8"))
    ja = json.loads((COMPONENT / "translations" / "ja.json").read_text(encoding="utf-8"))
    assert _keys(en) == _keys(ja)
    # Placeholders are the same in both languages.
    for key in _keys(en):
        en_text, ja_text = en, ja
        for part in key.split("."):
            en_text, ja_text = en_text[part], ja_text[part]
        if isinstance(en_text, str):
            assert set(re.findall(r"{(\w+)}", en_text)) == set(re.findall(r"{(\w+)}", ja_text)), key


def test_generated_files_are_up_to_date() -> None:
    scripts = ["generate_translations.py"]
    # The MRA source sits beside the repository (../shared/mra); the Python 3.14 CI lane runs
    # in a chroot that only sees the repository, so there the definitions are checked by the
    # other lane only.
    if (ROOT.parent / "shared" / "mra").is_dir():
        scripts.insert(0, "generate_definitions.py")
    for script in scripts:
        result = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / script), "--check"],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_every_entity_translation_key_has_an_icon() -> None:
    en = json.loads((COMPONENT / "translations" / "en.json").read_text(encoding="utf-8"))
    icons = json.loads((COMPONENT / "icons.json").read_text(encoding="utf-8"))
    for platform, keys in en["entity"].items():
        if platform in ("light", "cover"):
            continue
        for key in keys:
            assert key in icons["entity"].get(platform, {}), f"{platform}.{key}"
    assert set(icons["services"]) == set(yaml.safe_load((COMPONENT / "services.yaml").read_text()))


def test_manifest_and_hacs() -> None:
    manifest = json.loads((COMPONENT / "manifest.json").read_text(encoding="utf-8"))
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == "hems"
    assert manifest["iot_class"] == "local_push"
    assert manifest["config_flow"] is True
    hacs = json.loads((ROOT / "hacs.json").read_text(encoding="utf-8"))
    assert set(hacs) <= {
        "name",
        "content_in_root",
        "zip_release",
        "filename",
        "hide_default_branch",
        "country",
        "homeassistant",
        "hacs",
        "persistent_directory",
        "render_readme",
    }


def test_brand_images() -> None:
    for name in ("icon.png", "icon@2x.png", "logo.png", "logo@2x.png"):
        assert (COMPONENT / "brand" / name).stat().st_size > 500


def test_quality_scale_is_filled() -> None:
    rules = yaml.safe_load((COMPONENT / "quality_scale.yaml").read_text(encoding="utf-8"))["rules"]
    for name, status in rules.items():
        if isinstance(status, dict):
            assert status["status"] in ("done", "exempt", "todo"), name
            if status["status"] == "exempt":
                assert status.get("comment"), name
        else:
            assert status in ("done", "todo"), name


def _manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((COMPONENT / "manifest.json").read_text(encoding="utf-8"))
    return data


def test_versions_agree() -> None:
    """manifest.json, pyproject.toml and the changelog's top entry name the same version
    (the release's git tag is ``v`` + this version)."""
    version = _manifest()["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), version
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == version
    entries = re.findall(
        r"^## \[(\d+\.\d+\.\d+)\]", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), re.M
    )
    assert entries, "CHANGELOG.md has no '## [x.y.z]' entry"
    assert entries[0] == version
    assert len(entries) == len(set(entries))


def test_license_is_the_one_pyproject_names() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text
    assert "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_hacs_json_as_hacs_validates_it() -> None:
    """HACS's schema (custom_components/hacs/utils/validate.py): only known keys, typed; the
    minimum Home Assistant version is one the tests run on or older."""
    hacs = json.loads((ROOT / "hacs.json").read_text(encoding="utf-8"))
    types: dict[str, type] = {
        "content_in_root": bool,
        "country": str,
        "filename": str,
        "hacs": str,
        "hide_default_branch": bool,
        "homeassistant": str,
        "persistent_directory": str,
        "render_readme": bool,
        "zip_release": bool,
        "name": str,
    }
    assert set(hacs) <= set(types), set(hacs) - set(types)
    for key, value in hacs.items():
        assert isinstance(value, types[key]), key
    assert hacs["name"] == _manifest()["name"]
    assert hacs["country"] == "JP"
    minimum = AwesomeVersion(hacs["homeassistant"])
    assert minimum.valid
    assert minimum <= AwesomeVersion(HA_VERSION)


def test_loggers_are_the_requirements_that_log() -> None:
    """``loggers`` names every requirement that logs (so Home Assistant's "enable debug
    logging" covers it), and nothing else."""
    manifest = _manifest()
    logging_packages = set()
    for requirement in manifest["requirements"]:
        dist = re.split(r"[<>=!~ \[]", requirement, maxsplit=1)[0]
        files = importlib.metadata.files(dist) or []
        tops = {
            str(f).split("/")[0].removesuffix(".py")
            for f in files
            if str(f).endswith(".py") and "/" in str(f)
        }
        logs = any(
            "getLogger(" in Path(str(f.locate())).read_text(encoding="utf-8", errors="replace")
            for f in files
            if str(f).endswith(".py")
        )
        if logs:
            logging_packages |= tops
    assert set(manifest.get("loggers", [])) == logging_packages


#: Every rule of the quality scale by tier (hassfest's list, with docs-conditions/-triggers).
QUALITY_SCALE: dict[str, tuple[str, ...]] = {
    "bronze": (
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow",
        "config-flow-test-coverage",
        "dependency-transparency",
        "docs-actions",
        "docs-conditions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "docs-triggers",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
    ),
    "silver": (
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
    ),
    "gold": (
        "devices",
        "diagnostics",
        "discovery",
        "discovery-update-info",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
    ),
    "platinum": ("async-dependency", "inject-websession", "strict-typing"),
}


def _rules() -> dict[str, dict[str, str]]:
    rules = yaml.safe_load((COMPONENT / "quality_scale.yaml").read_text(encoding="utf-8"))["rules"]
    return {
        name: value if isinstance(value, dict) else {"status": value}
        for name, value in rules.items()
    }


def test_quality_scale_lists_every_rule_with_its_evidence() -> None:
    """Every rule is there; every status says why (evidence, what is missing, or the reason)."""
    rules = _rules()
    assert set(rules) == {rule for tier in QUALITY_SCALE.values() for rule in tier}
    for name, rule in rules.items():
        assert rule["status"] in ("done", "todo", "exempt"), name
        assert str(rule.get("comment", "")).strip(), f"{name}: no comment"


def test_manifest_claims_only_the_tier_that_holds() -> None:
    rules = _rules()
    held = None
    for tier, names in QUALITY_SCALE.items():
        if any(rules[name]["status"] == "todo" for name in names):
            break
        held = tier
    assert _manifest().get("quality_scale") == held


def test_docs_rules_name_readme_sections_that_exist() -> None:
    """A docs-* rule marked done names the README section that fulfils it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    headings = {h.strip() for h in re.findall(r"^#+ (.+)$", readme, re.M)}
    for name, rule in _rules().items():
        if not name.startswith("docs-") or rule["status"] != "done":
            continue
        sections = re.findall(r'README "([^"]+)"', rule["comment"])
        assert sections, f"{name}: no README section named"
        for section in sections:
            assert section in headings, f"{name}: README has no section {section!r}"


#: Folders of code a reader holds (tests included): no file over 600 lines, no function over 60.
CODE = ["custom_components", "simulator", "bench", "scripts", "tests"]


def test_files_and_functions_a_reader_can_hold() -> None:
    """scripts/code_sizes.py over all code: nothing over the limits."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "code_sizes.py"), "--top", "0", *CODE],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_import_circles() -> None:
    """No module imports, as it is imported, one that imports it back (scripts/import_cycles.py)."""
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "import_cycles.py"),
            "custom_components",
            "simulator",
            "bench",
            "scripts",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
