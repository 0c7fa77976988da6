"""Nothing from outside the project is read or published: static/ and templates/ hold no links."""

from __future__ import annotations

import shutil

from conftest import PROJECT, minimal_files, tree

from timeline.cli import main


def build(project, capsys, *extra: str):
    code = main(["build", "--no-search", "--content", str(project / "content"), "--out", str(project / "_site"),
                 "--static", str(project / "static"), "--templates", str(project / "templates"), *extra])
    return code, capsys.readouterr().err


def test_a_link_in_static_to_a_file_outside_is_refused_and_never_published(make_project, capsys, tmp_path):
    project = make_project(minimal_files())
    shutil.copytree(PROJECT / "static", project / "static")
    shutil.copytree(PROJECT / "templates", project / "templates")
    assert build(project, capsys)[0] == 0
    before = tree(project / "_site")
    secret = tmp_path.parent / f"{tmp_path.name}-secret.txt"
    secret.write_text("a secret outside the project\n")
    (project / "static" / "leak.txt").symlink_to(secret)
    (project / "static" / "fonts").symlink_to(tmp_path.parent, target_is_directory=True)

    code, err = build(project, capsys)

    assert code == 1
    assert "static/fonts: symbolic links are not allowed in static/" in err
    assert "static/leak.txt: symbolic links are not allowed in static/" in err
    assert tree(project / "_site") == before
    assert not any(b"a secret outside" in data for data in tree(project / "_site").values())


def test_a_link_in_templates_is_refused(make_project, capsys, tmp_path):
    project = make_project(minimal_files())
    shutil.copytree(PROJECT / "static", project / "static")
    shutil.copytree(PROJECT / "templates", project / "templates")
    (project / "templates" / "extra.html").symlink_to("/etc/hostname")
    code, err = build(project, capsys)
    assert code == 1 and "templates/extra.html: symbolic links are not allowed in templates/" in err
