"""The confinement rule itself (core/confine.py): which stored paths lead out, by name and through links."""

from __future__ import annotations

import pytest

from labelstudio_desktop.core.confine import (
    OutsideProject,
    confined,
    lexical_problem,
    links_leading_out,
    links_out_under,
    resolves_inside,
)


@pytest.mark.parametrize("rel", ["../x.jpg", "a/../../x.jpg", "/etc/passwd", "\\\\server\\share\\x.jpg",
                                 "..\\x.jpg", "a\\..\\..\\x.jpg", "", "a\0b.jpg", None, 7])
def test_paths_leading_out_by_their_name_are_refused(rel):
    assert lexical_problem(rel) is not None


@pytest.mark.parametrize("rel", ["a.jpg", "sub/b c.jpg", "..hidden.jpg", "a..b/c.jpg", "日本/猫.png"])
def test_paths_inside_by_their_name_pass(rel):
    assert lexical_problem(rel) is None


def test_links_leading_out_are_found_and_those_staying_inside_pass(tmp_path):
    root, outside = tmp_path / "p", tmp_path / "outside"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "x.jpg").write_bytes(b"x")
    (root / "a.jpg").write_bytes(b"a")
    (root / "sub" / "in.jpg").symlink_to(root / "a.jpg")  # a link inside: fine
    (root / "sub" / "out.jpg").symlink_to(outside / "x.jpg")
    (root / "far").symlink_to(outside)
    # the folders of a.jpg, sub/in.jpg, sub/out.jpg, far/x.jpg and gone/y.jpg
    assert links_leading_out(root, ["", "sub", "far", "gone"]) == (["far"], {"": {"far"}, "sub": {"out.jpg"}})
    assert confined(root, "sub/in.jpg") == root / "sub" / "in.jpg"
    with pytest.raises(OutsideProject):
        confined(root, "far/x.jpg")
    with pytest.raises(OSError, match="absolute"):
        confined(root, str(outside / "x.jpg"))
    assert not resolves_inside(root, root / "far" / "new" / "folder")  # not yet there, but under a link leading out
    assert set(links_out_under(root, root)) == {root / "far", root / "sub" / "out.jpg"}
