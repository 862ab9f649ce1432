"""What a reader installs, and how a release gets there.

* The repository's address is written in one place, ``repo_url`` in mkdocs.yml; pages say
  ``{{ repo_url }}`` where they need it.
* The notebooks install the release (or, between releases, the exact commit) that built them,
  under the distribution name of pyproject.toml, never a moving branch.
* The GitHub workflows pin every action to a full commit SHA, named in a ``# vX.Y.Z`` comment,
  check out without keeping credentials, and ask for permissions job by job.
"""

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from book.hooks.notebooks import chapter_to_notebook, distribution_name, release_spec

ROOT = Path(__file__).resolve().parents[1]

WORKFLOWS = ROOT / ".github" / "workflows"
# The workflows another change rewrites; the ones of this change are held to the pinning rules.
PINNED_WORKFLOWS = ["release.yml", "backends.yml"]
USES = re.compile(r"^\s*(?:-\s*)?uses:\s*(\S+)(.*)$", re.M)


def repo_url() -> str:
    return (
        re.search(r"^repo_url:\s*(\S+)", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M)
        .group(1)
        .rstrip("/")
    )


def tracked_text_files():
    try:
        names = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    for name in names:
        path = ROOT / name
        if path.suffix in {
            ".md",
            ".py",
            ".yml",
            ".yaml",
            ".toml",
            ".json",
            ".js",
            ".cfg",
            ".txt",
            ".html",
        } or path.name in {"Makefile", "run"}:
            if path.is_file():
                yield name, path.read_text(encoding="utf-8", errors="replace")


def test_the_repository_address_is_written_only_in_mkdocs_yml():
    url = repo_url()
    owner_repo = url.removeprefix("https://github.com/")
    found = [
        name
        for name, text in tracked_text_files()
        if name != "mkdocs.yml" and (url in text or f"github.com/{owner_repo}" in text)
    ]
    assert not found, (
        f"{url} is written in {found}: say {{{{ repo_url }}}} in a page, or read mkdocs.yml's "
        "repo_url"
    )


def test_the_install_name_is_not_the_unrelated_companion():
    assert distribution_name(ROOT) == "image-classification-book"
    for lang in ("zh", "en"):
        text = (ROOT / "docs" / lang / "install.md").read_text(encoding="utf-8")
        assert 'pip install "image-classification-book[tf]"' in text and "`companion`" in text, lang
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'pip install "image-classification-book' in readme


def test_notebooks_install_the_release_or_commit_that_built_them():
    release = release_spec(ROOT, repo_url())
    if release["kind"] == "release":
        assert release["spec"] == f"image-classification-book[tf]=={release['version']}"
    else:
        assert release["kind"] == "commit", release
        assert re.fullmatch(
            rf"image-classification-book\[tf\] @ git\+{re.escape(repo_url())}@[0-9a-f]{{40}}",
            release["spec"],
        ), release
    text = (ROOT / "docs" / "en" / "02-mnist-mlp.md").read_text(encoding="utf-8")
    notebook = chapter_to_notebook(
        text, "en", ROOT / "includes", repo_url=repo_url(), release=release
    )
    note, install = notebook.cells[0], notebook.cells[1]
    assert (
        note.cell_type == "markdown"
        and "`image-classification-book`" in note.source
        and "`companion`" in note.source
    )
    assert install.cell_type == "code" and install.metadata["tags"] == ["install"]
    assert install.source == f'%pip install "{release["spec"]}"'


def test_a_tagged_build_pins_the_tag(tmp_path):
    """In a checkout of tag v1.2.3 the notebooks install release 1.2.3 from PyPI."""
    git = [
        "git",
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.org",
        "-c",
        "commit.gpgsign=false",
        "-c",
        "tag.gpgsign=false",
    ]
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "image-classification-book"\n', encoding="utf-8"
    )
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "."], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=tmp_path, check=True)
    assert release_spec(tmp_path, "https://example.org/r")["kind"] == "commit"
    subprocess.run([*git, "tag", "v1.2.3"], cwd=tmp_path, check=True)
    assert release_spec(tmp_path, "https://example.org/r") == {
        "kind": "release",
        "version": "1.2.3",
        "spec": "image-classification-book[tf]==1.2.3",
    }


@pytest.mark.parametrize("name", PINNED_WORKFLOWS)
def test_workflow_actions_are_pinned_and_least_privileged(name):
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    for action, rest in USES.findall(text):
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), (
            f"{name}: {action} is not pinned to a commit SHA"
        )
        assert re.match(r"\s*# v\d+\.\d+\.\d+\s*$", rest), (
            f"{name}: {action} has no '# vX.Y.Z' comment"
        )
    workflow = yaml.safe_load(text)
    assert workflow.get("permissions") in ({}, {"contents": "read"}), (
        f"{name}: default permissions too wide"
    )
    for job_name, job in workflow["jobs"].items():
        assert "permissions" in job, (
            f"{name}: job {job_name} does not say which permissions it needs"
        )
        for step in job.get("steps", []):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, (
                    f"{name}: {job_name} keeps git credentials"
                )


def test_release_publishes_by_trusted_publishing_on_version_tags():
    workflow = yaml.safe_load((WORKFLOWS / "release.yml").read_text(encoding="utf-8"))
    on = workflow.get("on") or workflow.get(True)  # YAML 1.1 reads a bare `on` as true
    assert on["push"]["tags"] and "branches" not in on["push"]
    jobs = workflow["jobs"]
    publish = jobs["pypi"]
    assert publish["permissions"] == {"id-token": "write"}
    assert any(
        step.get("uses", "").startswith("pypa/gh-action-pypi-publish@") for step in publish["steps"]
    )
    assert not any("password" in step.get("with", {}) for step in publish["steps"]), (
        "trusted publishing needs no token"
    )
    assert jobs["github-release"]["permissions"] == {"contents": "write"}
    assert jobs["build"]["permissions"] == {"contents": "read"}
