"""The recorded 1688 answers in tests/alibaba/recorded/ and the field paths they allow."""

import json
from functools import cache
from pathlib import Path

RECORDED = Path(__file__).with_name("recorded")
API_NAMES = sorted(p.stem for p in RECORDED.glob("*.json"))


@cache
def _load(name: str) -> dict:
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


def answer(name: str) -> dict:
    """The recorded answer of the API `name` (e.g. product.search.keywordQuery), notes removed."""
    return json.loads(json.dumps({k: v for k, v in _load(name).items() if not k.startswith("_")}))


def source(name: str) -> str:
    return _load(name).get("_source", "")


def field_paths(value, prefix: str = "") -> set[str]:
    """Every key path in a JSON value: `result.result.data[].companyName`; list items share `[]`."""
    paths = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key.startswith("_"):
                continue
            path = f"{prefix}.{key}" if prefix else key
            paths.add(path)
            paths |= field_paths(inner, path)
    elif isinstance(value, list):
        for inner in value:
            paths |= field_paths(inner, f"{prefix}[]")
    return paths


def allowed_paths(name: str) -> set[str]:
    """The recorded answer's paths, plus those its file lists as documented but absent from the example."""
    return field_paths(answer(name)) | set(_load(name).get("_documented_paths", []))
