# The item-generation Lambda: this package and uv, which runs stactools packages with uvx.
# Built by `cdk deploy` (cdk-assets), never at synth. The build context is the repository
# root, narrowed to pyproject.toml, uv.lock, README.md, stac_ingest/ and infra/docker/
# (see ITEM_GEN_CONTEXT_EXCLUDE in infra/constructs/pipeline.py).
ARG PYTHON_VERSION=3.12
ARG UV_VERSION=0.13.9
FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv

FROM public.ecr.aws/lambda/python:${PYTHON_VERSION}
COPY --from=uv /uv /uvx /usr/local/bin/

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1

# Dependencies first, from the lock file, so that code changes reuse this layer.
WORKDIR /tmp/build
COPY pyproject.toml uv.lock README.md ./
RUN uv export --frozen --no-default-groups --no-dev --no-emit-project \
        --format requirements-txt -o requirements.txt \
 && uv pip install --python "$(command -v python3)" --target "${LAMBDA_TASK_ROOT}" \
        -r requirements.txt \
 && rm -rf /tmp/build

COPY stac_ingest ${LAMBDA_TASK_ROOT}/stac_ingest

# Only /tmp is writable in Lambda: uv's cache, tools and Python downloads go there.
ENV HOME=/tmp \
    UV_NO_CACHE= \
    UV_CACHE_DIR=/tmp/uv/cache \
    UV_TOOL_DIR=/tmp/uv/tools \
    UV_TOOL_BIN_DIR=/tmp/uv/bin \
    UV_PYTHON_INSTALL_DIR=/tmp/uv/python

WORKDIR ${LAMBDA_TASK_ROOT}
CMD ["stac_ingest.lambdas.item_gen.handler"]
