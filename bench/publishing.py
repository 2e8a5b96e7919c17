"""``generate`` publishing an inventory vs the seed's loop and plain boto3.

A 2,000-line inventory of GLAD tile URLs is published to the item-gen topic of a stack in
moto's server (a separate process on loopback), found through its CloudFormation outputs
as a deployed stack is. The topic has no subscription, so a publish costs the emulator's
SNS front end only, not its queues. Contenders, alternating, on the same messages:

- **generate (SDK)**: ``Pipeline.from_stack(...).generate(spec)``, streaming the file,
  batching 10 a call on its thread pool, with retries and per-line errors;
- **generate (CLI)**: the same as a ``stac-ingest --stack ... generate -i FILE`` process,
  start-up included;
- **(a) the seed's loop**: one ``aws sns publish`` process per URL, from awscli in its
  own environment (resolved once by ``uv tool run --from awscli``), on a smaller slice
  and compared per message;
- **(b)** a single-threaded boto3 ``publish`` loop, one message a call;
- **(c)** a threaded boto3 ``PublishBatch``: 10 a call, as many threads as ``generate``
  uses, one client per thread from one session.

Every contender's time includes creating its clients.

The baselines send exactly the ItemRequest bodies that ``generate`` sends (from
``generate --dry-run``'s planner); every contender must report every message sent.
"""

from __future__ import annotations

import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.report import Section, Table, Target
from bench.services import Services, venv_bin
from bench.timing import alternate, log, median, spread

PACKAGE = "stactools-glad-glclu2020"
GROUP = "gladglclu2020"
EXTRAS = ["requests", "affine<3"]
HREF_FORMAT = "https://storage.example.com/glclu2020/{version}/{year}/{loc}.tif"


def write_inventory(path: Path, count: int) -> Path:
    lines = []
    for i in range(count):
        lat, lon = 80 - 10 * (i % 14), 10 * ((i // 14) % 18)
        year = 2000 + 5 * ((i // 252) % 5)
        lines.append(f"{HREF_FORMAT.split('{')[0]}v2/{year}/{lat:02d}N_{lon:03d}W.tif#{i}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def spec(inventory: Path) -> Any:
    from stac_ingest.sdk.generate import GenerateSpec

    return GenerateSpec(
        package=PACKAGE,
        group=GROUP,
        options={"href-format": HREF_FORMAT},
        extra_requirements=EXTRAS,
        inventory=str(inventory),
    )


def bodies_of(inventory: Path) -> list[str]:
    from stac_ingest.sdk.generate import plan

    return [e.body for e in plan(spec(inventory)) if e.body is not None]


def run_sdk(stack: str, inventory: Path, count: int) -> float:
    from stac_ingest.sdk.pipeline import Pipeline

    started = time.perf_counter()
    report = Pipeline.from_stack(stack).generate(spec(inventory))
    seconds = time.perf_counter() - started
    if report.published != count:
        raise RuntimeError(f"generate published {report.published}, not {count}: {report}")
    return seconds


def run_cli(stack: str, inventory: Path, count: int) -> float:
    cmd = [venv_bin("stac-ingest"), "--stack", stack, "--json", "generate", "-p", PACKAGE,
           "-g", GROUP, "-o", f"href-format={HREF_FORMAT}", "-i", str(inventory)]  # fmt: skip
    for extra in EXTRAS:
        cmd += ["--with", extra]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0 or f'"published": {count}' not in proc.stdout:
        raise RuntimeError(
            f"stac-ingest generate failed: {proc.stderr[-500:]} {proc.stdout[-300:]}"
        )
    return seconds


def run_publish_loop(topic: str, bodies: list[str]) -> float:
    import boto3

    session = boto3.session.Session()
    session.get_available_services()
    started = time.perf_counter()
    sns = session.client("sns")
    for body in bodies:
        sns.publish(TopicArn=topic, Message=body)
    return time.perf_counter() - started


def run_publish_batch(topic: str, bodies: list[str], threads: int) -> float:
    import boto3

    session = boto3.session.Session()
    session.get_available_services()
    local = threading.local()
    lock = threading.Lock()

    def send(chunk: list[str]) -> int:
        sns = getattr(local, "sns", None)
        if sns is None:
            with lock:  # creating clients from one session is not thread-safe
                sns = local.sns = session.client("sns")
        entries = [{"Id": str(i), "Message": b} for i, b in enumerate(chunk)]
        response = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
        if response.get("Failed"):
            raise RuntimeError(f"PublishBatch failed entries: {response['Failed'][:2]}")
        return len(response["Successful"])

    chunks = [bodies[i : i + 10] for i in range(0, len(bodies), 10)]
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        sent = sum(pool.map(send, chunks))
    seconds = time.perf_counter() - started
    if sent != len(bodies):
        raise RuntimeError(f"PublishBatch sent {sent} of {len(bodies)}")
    return seconds


def awscli_env_bin() -> str:
    """``aws`` from awscli in its own environment, as operators install it."""
    from stac_ingest.sdk.generation import find_uv, uv_environment

    proc = subprocess.run(
        [find_uv(), "tool", "run", "--from", "awscli", "python", "-c",
         "import sys; print(sys.executable)"],
        capture_output=True, text=True, check=True, env=uv_environment(),
    )  # fmt: skip
    python = Path(proc.stdout.strip().splitlines()[-1])
    return str(python.parent / "aws")


def run_seed(aws: str, topic: str, bodies: list[str]) -> float:
    started = time.perf_counter()
    for body in bodies:
        subprocess.run(
            [aws, "sns", "publish", "--topic-arn", topic, "--message", body],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - started


def run(svc: Services, *, quick: bool, reps: int) -> Section:
    from stac_ingest.outputs import IngestOutputs
    from stac_ingest.sdk.pipeline import Pipeline

    count, seed_count = (300, 5) if quick else (2000, 20)
    stack = svc.create_stack()
    topic = svc.topic_arn(stack, IngestOutputs.ITEM_GEN_TOPIC_ARN)
    inventory = write_inventory(svc.workdir / "inventory.txt", count)
    bodies = bodies_of(inventory)
    threads = Pipeline.from_stack(stack).backend.publish_concurrency
    aws = awscli_env_bin()
    log(f"publishing: {count} messages ({seed_count} for the aws CLI loop), {threads} threads")
    times = alternate(
        {
            "generate (SDK)": lambda: run_sdk(stack, inventory, count),
            "generate (CLI)": lambda: run_cli(stack, inventory, count),
            "(a) aws sns publish per URL": lambda: run_seed(aws, topic, bodies[:seed_count]),
            "(b) boto3 publish loop": lambda: run_publish_loop(topic, bodies),
            "(c) boto3 PublishBatch, threaded": lambda: run_publish_batch(topic, bodies, threads),
        },
        reps,
    )
    sizes = {name: count for name in times}
    sizes["(a) aws sns publish per URL"] = seed_count
    rate = {name: sizes[name] / median(secs) for name, secs in times.items()}
    subject = rate["generate (SDK)"]
    rows = [
        [
            name,
            f"{sizes[name]:,}",
            f"{median(secs):.3f} ({spread(secs)})",
            f"{rate[name]:,.1f}",
            f"{1000 / rate[name]:.2f}",
            f"{subject / rate[name]:.2f}x",
        ]
        for name, secs in times.items()
    ]
    cli_ratio_seed = rate["generate (CLI)"] / rate["(a) aws sns publish per URL"]
    return Section(
        key="publishing",
        title="2. Publishing: generate vs the seed's loop and plain boto3",
        method=__doc__ or "",
        tables=[
            Table(
                caption=f"Medians of {reps} alternating repetitions; speed-up = generate (SDK) "
                "messages/s / the row's messages/s",
                columns=[
                    "Contender",
                    "Messages",
                    "Seconds (min-max)",
                    "Messages/s",
                    "ms/message",
                    "generate (SDK) speed-up",
                ],
                rows=rows,
            )
        ],
        targets=[
            Target(
                name="generate vs (a) aws sns publish per URL, per message",
                measured=subject / rate["(a) aws sns publish per URL"],
                threshold=100,
            ),
            Target(
                name="generate vs (c) threaded boto3 PublishBatch",
                measured=subject / rate["(c) boto3 PublishBatch, threaded"],
                threshold=0.8,
            ),
        ],
        notes=[
            f"The `generate` CLI process, interpreter start-up included, is {cli_ratio_seed:,.0f}x "
            "the seed's loop per message.",
            "Absolute rates are moto's: one Python process answering every call. On AWS a "
            "PublishBatch call takes tens of milliseconds and the region's publish quota caps "
            "the total (docs/capacity.md).",
        ],
        raw={"seconds": times, "messages": sizes, "threads": threads},
    )
