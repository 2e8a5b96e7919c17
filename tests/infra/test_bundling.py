"""``infra/bundling.py``: Lambda zips for the Lambda platform, built once and cached."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest

from infra import bundling, eoapi_assets


def _names(zip_path: Path) -> list[str]:
    with zipfile.ZipFile(zip_path) as zf:
        return zf.namelist()


def _extensions_are_for_lambda(names: list[str], package: str) -> None:
    libs = [n for n in names if n.startswith(f"{package}/") and n.endswith(".so")]
    assert libs, f"{package} ships compiled modules"
    for lib in libs:
        if "cpython-" in lib:
            assert "cpython-312-x86_64-linux-gnu" in lib, lib


def test_pgstac_is_pinned_once() -> None:
    pin = metadata.version("pypgstac")
    assert bundling.pgstac_version() == pin == bundling.locked_version("pypgstac")
    requirements = bundling.bootstrap_requirements()
    assert f"pypgstac=={pin}" in requirements
    assert f"psycopg-binary=={bundling.locked_version('psycopg')}" in requirements


def test_item_load_zip_holds_the_package_and_its_dependencies() -> None:
    names = _names(bundling.item_load_zip())
    assert "stac_ingest/lambdas/item_load.py" in names
    assert "stac_ingest/outputs.py" in names
    assert "pypgstac/__init__.py" in names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert not any(n.startswith(("pytest/", "moto/", "aws_cdk/")) for n in names)
    _extensions_are_for_lambda(names, "psycopg_binary")
    _extensions_are_for_lambda(names, "pydantic_core")
    pin = metadata.version("pypgstac")
    assert f"pypgstac-{pin}.dist-info/METADATA" in names


def test_bootstrap_zip_runs_eoapis_handler_with_our_pypgstac() -> None:
    path = bundling.pgstac_bootstrap_zip()
    with zipfile.ZipFile(path) as zf:
        handler = zf.read("handler.py")
        names = zf.namelist()
    assert handler == eoapi_assets.read("database/bootstrapper_runtime/handler.py")
    assert b"Migrate(pgdb).run_migration" in handler
    assert f"pypgstac-{metadata.version('pypgstac')}.dist-info/METADATA" in names
    assert any(n.startswith("httpx/") for n in names)
    _extensions_are_for_lambda(names, "psycopg_binary")


def test_stac_api_zip_holds_eoapis_runtime() -> None:
    names = _names(bundling.stac_api_zip())
    assert "stac_api/handler.py" in names
    assert "utils.py" in names
    assert any(n.startswith("stac_fastapi/pgstac/") for n in names)
    assert any(n.startswith("mangum/") for n in names)
    _extensions_are_for_lambda(names, "asyncpg")


@pytest.fixture
def build_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(bundling.BUILD_DIR_ENV, str(tmp_path / "build"))
    return tmp_path / "build"


def test_cache_builds_once_per_key_and_drops_stale_zips(build_dir: Path) -> None:
    calls: list[str] = []

    def fill(content: str) -> Callable[[Path], None]:
        def write(target: Path) -> None:
            calls.append(content)
            (target / "mod.py").write_text(content)

        return write

    first = bundling._cached_zip("probe", "k1", fill("one"))
    again = bundling._cached_zip("probe", "k1", fill("one"))
    assert first == again == build_dir / "probe-k1.zip"
    assert calls == ["one"]
    second = bundling._cached_zip("probe", "k2", fill("two"))
    assert calls == ["one", "two"]
    assert not first.exists(), "the zip of an old key is removed"
    with zipfile.ZipFile(second) as zf:
        assert zf.read("mod.py") == b"two"


def test_zips_are_deterministic(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "pkg" / "__pycache__").mkdir(parents=True)
    (source / "pkg" / "a.py").write_text("A = 1\n")
    (source / "pkg" / "__pycache__" / "a.cpython-312.pyc").write_bytes(b"x")
    one, two = tmp_path / "one.zip", tmp_path / "two.zip"
    bundling._write_zip(source, one)
    (source / "pkg" / "a.py").touch()  # a new mtime must not change the zip
    bundling._write_zip(source, two)
    assert one.read_bytes() == two.read_bytes()
    assert _names(one) == ["pkg/a.py"]


def test_eoapi_instance_table_sizes_the_default_instance() -> None:
    from infra.config import DatabaseConfig

    assert DatabaseConfig().instance_type in eoapi_assets.instance_memory_mib()
