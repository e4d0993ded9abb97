"""The one file collector: folders walked in order, hidden files skipped, links kept inside."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from data.errors import InputError
from data.text.files import collect_files, read_file


def _names(paths: list[Path], root: Path) -> list[str]:
    return [str(p.relative_to(root)) for p in paths]


def test_recurses_in_order_and_skips_hidden_and_lock_files(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "one.txt").write_text("x")
    (tmp_path / "a" / "zeta.md").write_text("x")
    (tmp_path / "a" / ".DS_Store").write_text("x")
    (tmp_path / "a" / "~$lock.docx").write_text("x")
    (tmp_path / "a" / ".git").mkdir()
    (tmp_path / "a" / ".git" / "config").write_text("x")
    (tmp_path / "two.md").write_text("x")
    batch = collect_files([tmp_path / "a", tmp_path / "two.md"])
    assert _names(batch.files, tmp_path) == ["a/zeta.md", "a/b/one.txt", "two.md"]
    assert batch.refused == []


def test_missing_path_and_empty_folder_are_refused_not_raised(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    batch = collect_files([tmp_path / "missing", tmp_path / "empty"], what="resumes")
    assert batch.files == []
    assert [r.reason for r in batch.refused] == [
        "no such file or folder: check the path",
        "no resumes in this folder",
    ]


def test_suffixes_filter_folders_but_not_files_named(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "plan.MD").write_text("x")
    (tmp_path / "d" / "photo.png").write_text("x")
    (tmp_path / "named.docx").write_text("x")
    batch = collect_files([tmp_path / "d", tmp_path / "named.docx"], suffixes={".md"})
    assert _names(batch.files, tmp_path) == ["d/plan.MD", "named.docx"]


def test_a_link_out_of_the_folder_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    folder = tmp_path / "imports"
    folder.mkdir()
    (folder / "ok.txt").write_text("x")
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    secret_dir = tmp_path / "elsewhere"
    secret_dir.mkdir()
    (secret_dir / "secret.txt").write_text("x")
    (folder / "other").symlink_to(secret_dir, target_is_directory=True)
    batch = collect_files([folder])
    assert _names(batch.files, tmp_path) == ["imports/ok.txt"]
    refused = {Path(r.path).name: r.reason for r in batch.refused}
    assert set(refused) == {"passwd.txt", "other"}
    assert "outside the import folder (/etc/passwd)" in refused["passwd.txt"]
    assert "links are not followed out of the folder" in refused["passwd.txt"]
    assert "a link to a folder outside" in refused["other"]


def test_links_inside_the_folder_are_read_once(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "cv.txt").write_text("x")
    (tmp_path / "alias.txt").symlink_to(tmp_path / "sub" / "cv.txt")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)  # would never end
    batch = collect_files([tmp_path])
    assert len(batch.files) == 1 and batch.refused == []
    assert batch.files[0].resolve() == (tmp_path / "sub" / "cv.txt").resolve()


def test_broken_links_and_special_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(tmp_path / "pipe.txt")
    batch = collect_files([tmp_path])
    assert batch.files == []
    refused = {Path(r.path).name: r.reason for r in batch.refused}
    assert "broken link" in refused["gone.txt"]
    assert "named pipe (FIFO)" in refused["pipe.txt"]
    named = collect_files([tmp_path / "pipe.txt"])
    assert named.files == [] and "FIFO" in named.refused[0].reason


def test_a_file_named_directly_may_be_a_link(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("x")
    (tmp_path / "link.txt").symlink_to(tmp_path / "real.txt")
    assert collect_files([tmp_path / "link.txt"]).files == [tmp_path / "link.txt"]


def test_read_file_refuses_special_files_and_files_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 1001)
    assert read_file(path, max_bytes=1001) == b"x" * 1001
    with pytest.raises(InputError, match=r"a\.txt: 0\.0 MB, more than the limit"):
        read_file(path, max_bytes=1000)
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(InputError, match="named pipe"):  # and does not block
        read_file(tmp_path / "pipe", max_bytes=1000)
    with pytest.raises(InputError, match="cannot read the file"):
        read_file(tmp_path / "missing", max_bytes=1000)
