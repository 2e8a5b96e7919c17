"""``infra/config.py``: defaults, the YAML file, env overrides, errors that name the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from infra.bundling import PROJECT_ROOT
from infra.config import InfraConfig, load_config
from stac_ingest.errors import ConfigError


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("STAC_INGEST_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def _write(tmp_path: Path, text: str, name: str = "c.yml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_defaults_are_the_design_values() -> None:
    c = load_config()
    assert (c.project_id, c.stage) == ("stac-ingest", "dev")
    assert c.vpc.nat_gateways == 0
    assert c.database.access_cidrs == []
    assert c.database.stac_api is True
    g, ld = c.item_gen, c.item_load
    assert (g.memory_mb, g.timeout_seconds, g.visibility_timeout_seconds, g.batch_size) == (
        1024,
        120,
        120,
        10,
    )
    assert (ld.memory_mb, ld.timeout_seconds, ld.visibility_timeout_seconds) == (1024, 45, 60)
    assert (ld.batch_size, ld.batching_window_seconds) == (1000, 60)
    assert g.max_receive_count == ld.max_receive_count == 5
    assert ld.max_concurrency < g.max_concurrency
    assert c.stack_names == ["stac-ingest-dev-vpc", "stac-ingest-dev-pgstac", "stac-ingest-dev"]


def test_example_file_documents_the_defaults() -> None:
    assert load_config(PROJECT_ROOT / "config.example.yml") == InfraConfig()


def test_yaml_file_then_env_then_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(
        tmp_path, "stage: prod\nitem_load:\n  max_concurrency: 3\nalarms:\n  email: a@b.org\n"
    )
    c = load_config(path)
    assert (c.stage, c.item_load.max_concurrency, c.alarms.email) == ("prod", 3, "a@b.org")
    assert c.item_load.batch_size == 1000, "a partial section keeps the other defaults"

    monkeypatch.setenv("STAC_INGEST_ITEM_LOAD__MAX_CONCURRENCY", "6")
    monkeypatch.setenv("STAC_INGEST_DATABASE__ACCESS_CIDRS", '["10.1.0.0/16"]')
    c = load_config(path)
    assert c.item_load.max_concurrency == 6
    assert c.database.access_cidrs == ["10.1.0.0/16"]
    assert c.stage == "prod"

    assert load_config(path, stage="qa").stage == "qa"


def test_config_path_from_env_and_from_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, "stage: fromcwd\n", name="config.yml")
    assert load_config().stage == "fromcwd"
    other = _write(tmp_path, "stage: fromenv\n", name="other.yml")
    monkeypatch.setenv("STAC_INGEST_CONFIG", str(other))
    assert load_config().stage == "fromenv"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("stage: Prod!\n", "stage"),
        ("project_id: x\n", "project_id"),
        ("bogus: 1\n", "bogus"),
        ("vpc:\n  nat_gateways: -1\n", "vpc.nat_gateways"),
        ("vpc:\n  cidr: 10.0.0.1/16\n", "vpc.cidr"),
        ("database:\n  access_cidrs: ['0.0.0.0/0']\n", "database.access_cidrs"),
        ("database:\n  access_cidrs: ['not-a-net']\n", "database.access_cidrs"),
        ("database:\n  postgres_version: '18'\n", "database.postgres_version"),
        ("database:\n  removal_policy: shred\n", "database.removal_policy"),
        ("item_gen:\n  batch_size: 50\n", "item_gen"),
        ("item_load:\n  visibility_timeout_seconds: 30\n", "item_load"),
        ("item_load:\n  max_concurrency: 1\n", "item_load.max_concurrency"),
        ("item_gen:\n  memory_mb: 64\n", "item_gen.memory_mb"),
        ("payload:\n  expiration_days: 0\n", "payload.expiration_days"),
        ("alarms:\n  email: nobody\n", "alarms.email"),
    ],
)
def test_invalid_config_names_the_field(tmp_path: Path, text: str, field: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = info.value.message
    assert message.startswith(f"invalid config in {path}: {field}")
    assert "\n" not in message
    assert info.value.exit_code == 2


def test_invalid_env_override_names_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAC_INGEST_ITEM_GEN__BATCH_SIZE", "many")
    with pytest.raises(ConfigError, match=r"item_gen\.batch_size"):
        load_config()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a\n- b\n", "must hold a mapping"),
        ("stage: [unclosed\n", "not valid YAML"),
    ],
)
def test_unreadable_files(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_config(_write(tmp_path, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yml")


def test_empty_file_is_the_defaults(tmp_path: Path) -> None:
    assert load_config(_write(tmp_path, "")) == InfraConfig()


def test_visibility_warning_with_defaults() -> None:
    warnings = load_config().warnings()
    assert len(warnings) == 2
    gen, load = warnings
    assert gen.startswith("item_gen.visibility_timeout_seconds=120 is below the 720 s")
    assert load.startswith("item_load.visibility_timeout_seconds=60 is below the 330 s")


def test_no_warning_at_the_recommended_visibility(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "item_gen:\n  visibility_timeout_seconds: 720\n"
        "item_load:\n  visibility_timeout_seconds: 330\n",
    )
    assert load_config(path).warnings() == []
    just_below = _write(tmp_path, "item_load:\n  visibility_timeout_seconds: 329\n", "b.yml")
    assert [w.split("=")[0] for w in load_config(just_below).warnings()] == [
        "item_gen.visibility_timeout_seconds",
        "item_load.visibility_timeout_seconds",
    ]


def _keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys += _keys(annotation, f"{prefix}{name}.")
        else:
            keys.append(f"{prefix}{name}")
    return keys


def test_every_setting_is_in_the_docs_and_the_example() -> None:
    reference = (PROJECT_ROOT / "docs" / "deployment.md").read_text()
    example = (PROJECT_ROOT / "config.example.yml").read_text()
    keys = _keys(InfraConfig)
    assert "item_gen.records_in_parallel" in keys
    assert [k for k in keys if f"| `{k}` |" not in reference] == []
    assert [k for k in keys if f"{k.rsplit('.', 1)[-1]}:" not in example] == []
