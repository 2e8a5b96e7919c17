"""Inventories from files, stdin, HTTP and S3, in each format."""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from stac_ingest.errors import InputError, UsageError
from stac_ingest.models import ItemRequest
from stac_ingest.sdk.inventory import Inventory


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_text_skips_blank_lines_and_comments(tmp_path: Path) -> None:
    src = _write(
        tmp_path,
        "urls.txt",
        "# header\nhttps://a/1.tif\n\n  https://a/2.tif  \n# x\nhttps://a/3.tif\n",
    )
    records = list(Inventory(src))
    assert [r.value for r in records] == ["https://a/1.tif", "https://a/2.tif", "https://a/3.tif"]
    assert [r.line for r in records] == [2, 4, 6]
    assert [r.index for r in records] == [0, 1, 2]


def test_skip_and_limit(tmp_path: Path) -> None:
    src = _write(tmp_path, "urls.txt", "".join(f"u{i}\n" for i in range(10)))
    records = list(Inventory(src, skip=3, limit=4))
    assert [r.value for r in records] == ["u3", "u4", "u5", "u6"]
    assert [r.index for r in records] == [3, 4, 5, 6]


def test_streams_without_reading_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("w") as out:
        for i in range(200_000):
            out.write(f"https://example.com/{i}.tif\n")
    inventory = Inventory(str(path), limit=3)
    assert len(list(inventory)) == 3
    assert inventory.seen == 3


def test_csv_by_header_name(tmp_path: Path) -> None:
    src = _write(tmp_path, "inv.csv", "id,url\n1,https://a/1.tif\n2,\n3,https://a/3.tif\n")
    records = list(Inventory(src, column="url"))
    assert [r.value for r in records] == ["https://a/1.tif", None, "https://a/3.tif"]
    assert records[1].error is not None and records[1].line == 3


def test_csv_by_index_without_header(tmp_path: Path) -> None:
    src = _write(tmp_path, "inv.csv", "bucket,k1.tif\nbucket,k2.tif\n")
    assert [r.value for r in Inventory(src, column="1")] == ["k1.tif", "k2.tif"]


def test_csv_needs_a_column(tmp_path: Path) -> None:
    src = _write(tmp_path, "inv.csv", "url\nx\n")
    with pytest.raises(UsageError, match="--column"):
        list(Inventory(src))
    with pytest.raises(UsageError, match="no column 'href'"):
        list(Inventory(src, column="href"))


def test_ndjson_requests_with_a_malformed_line(tmp_path: Path) -> None:
    good = ItemRequest(package_name="stactools-x", group_name="x", create_item_args=["a"])
    src = _write(
        tmp_path,
        "reqs.ndjson",
        good.model_dump_json() + "\n{not json\n" + '{"package_name": "p"}\n',
    )
    records = list(Inventory(src))
    assert records[0].value == good
    assert records[1].line == 2 and "malformed JSON" in (records[1].error or "")
    assert records[2].line == 3 and "group_name" in (records[2].error or "")


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a\nb\n"))
    assert [r.value for r in Inventory("-")] == ["a", "b"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        list(Inventory(str(tmp_path / "nope.txt")))


@pytest.fixture
def http_dir(tmp_path: Path) -> Iterator[str]:
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(  # noqa: E731
        *a, directory=str(tmp_path), **k
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_http(tmp_path: Path, http_dir: str) -> None:
    (tmp_path / "inv.txt").write_text("https://a/1.tif\nhttps://a/2.tif\n")
    assert [r.value for r in Inventory(f"{http_dir}/inv.txt")] == [
        "https://a/1.tif",
        "https://a/2.tif",
    ]


def test_http_missing(http_dir: str) -> None:
    with pytest.raises(InputError, match="HTTP 404"):
        list(Inventory(f"{http_dir}/missing.txt"))


def test_s3(moto_endpoint: str) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="inv")
    s3.put_object(Bucket="inv", Key="dir/list.txt", Body=b"s3a\n#c\ns3b\n")
    assert [r.value for r in Inventory("s3://inv/dir/list.txt")] == ["s3a", "s3b"]
    with pytest.raises(InputError, match="not found"):
        list(Inventory("s3://inv/dir/none.txt"))


def test_a_line_that_is_not_utf8_is_rejected_alone(tmp_path: Path) -> None:
    path = tmp_path / "urls.txt"
    path.write_bytes(b"https://a/1.tif\n\xff\xfe junk\nhttps://a/2.tif\n")
    records = list(Inventory(str(path)))
    assert [(r.line, r.value, r.error) for r in records] == [
        (1, "https://a/1.tif", None),
        (2, None, "not UTF-8 text"),
        (3, "https://a/2.tif", None),
    ]
