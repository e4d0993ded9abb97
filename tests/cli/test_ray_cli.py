"""`talentmap embed|match --engine ray` on a local cluster, and the install hint without Ray."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

import ml.encoders
from data.store.engine import session_scope
from tests.ml.conftest import CountingEncoder, seed_matching_store


@pytest.fixture
def store_cli(cli, monkeypatch):
    enc = CountingEncoder()
    monkeypatch.setattr(ml.encoders, "get_encoder", lambda name="minilm", **_kw: enc)
    with session_scope(cli.engine) as s:
        seed_matching_store(s)
    return cli


def _rows(output: str) -> list[tuple[str, str, int, float]]:
    return [(r["role"], r["resume"], r["rank"], r["score"]) for r in json.loads(output)]


@pytest.mark.slow
def test_ray_engine_gives_the_local_shortlists(store_cli, monkeypatch) -> None:
    ray = pytest.importorskip("ray")
    root = str(Path(__file__).resolve().parents[2])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    local = store_cli("match", "--format", "json", "--top", "3")
    assert local.exit_code == 0, local.output
    try:
        res = store_cli("embed", "--engine", "ray", "--workers", "1")
        assert res.exit_code == 0, res.output
        assert "5 resumes embedded" in res.stdout
        dist = store_cli(
            "match", "--engine", "ray", "--workers", "2", "--format", "json", "--top", "3"
        )
        assert dist.exit_code == 0, dist.output
    finally:
        ray.shutdown()
    a, b = _rows(local.stdout), _rows(dist.stdout)
    assert [r[:3] for r in a] == [r[:3] for r in b]
    assert [r[3] for r in a] == pytest.approx([r[3] for r in b], abs=1e-6)


def test_without_ray_the_commands_say_how_to_install_it(store_cli, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    for cmd in (["embed", "--engine", "ray"], ["match", "--engine", "ray"]):
        res = store_cli(*cmd)
        assert res.exit_code != 0
        assert "pip install 'talentmap[scale]'" in res.output


def test_workers_is_rays_and_at_least_one(store_cli) -> None:
    for args, says in (
        (["embed", "--workers", "2"], "--workers sets Ray's workers: add --engine ray"),
        (["match", "--workers", "2"], "--workers sets Ray's workers: add --engine ray"),
        (["embed", "--engine", "ray", "--workers", "0"], "--workers must be at least 1, got 0"),
        (["match", "--engine", "ray", "--workers", "-3"], "--workers must be at least 1"),
    ):
        res = store_cli(*args)
        assert res.exit_code == 2, (args, res.output)
        assert says in res.output, (args, res.output)
