import os

import numpy as np
import pytest

from companion import config
from companion.errors import ConfigError


def test_smoke_is_off_by_default(monkeypatch):
    monkeypatch.delenv("COMPANION_SMOKE", raising=False)
    assert not config.smoke()
    assert config.epochs(20) == 20 and config.samples(60000, 2000) == 60000


@pytest.mark.parametrize("value", ["1", "true", "YES"])
def test_smoke_shrinks_epochs_and_samples(monkeypatch, value):
    monkeypatch.setenv("COMPANION_SMOKE", value)
    assert config.smoke()
    assert config.epochs(20) == config.SMOKE_EPOCHS
    assert config.samples(60000, 2000) == 2000 and config.samples(100, 2000) == 100


def test_smoke_run_says_so_once(monkeypatch, capsys):
    monkeypatch.setenv("COMPANION_SMOKE", "1")
    monkeypatch.setattr(config, "_announced", False)
    config.smoke()
    config.smoke()
    assert capsys.readouterr().err.count("smoke run") == 1


def test_directories(monkeypatch, tmp_path):
    monkeypatch.setenv("COMPANION_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("COMPANION_MIRROR", "https://example.org/files")
    assert config.cache_dir() == tmp_path / "c" and (tmp_path / "c").is_dir()
    assert config.data_dir() == tmp_path / "d"
    assert config.mirror() == "https://example.org/files/"


def test_seeding_repeats(monkeypatch):
    config.seed_everything(7)
    a = np.random.rand(3)
    config.seed_everything(7)
    np.testing.assert_array_equal(a, np.random.rand(3))
    monkeypatch.setenv("COMPANION_SEED", "x")
    with pytest.raises(ValueError, match="COMPANION_SEED"):
        config.seed_everything()


def test_bad_epochs():
    with pytest.raises(ValueError):
        config.epochs(0)


@pytest.mark.parametrize(
    "value", ["mirror.example.org/data", "ftp://mirror.example.org/", "https://"]
)
def test_a_mirror_must_be_a_web_or_file_url(monkeypatch, value):
    monkeypatch.setenv("COMPANION_MIRROR", value)
    with pytest.raises(ConfigError, match="must start with http://, https:// or file://"):
        config.mirror()


def test_an_unusable_cache_folder_says_which_setting_to_change(tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("COMPANION_CACHE_DIR", str(tmp_path / "a-file" / "cache"))
    with pytest.raises(ConfigError, match="cannot be created .*COMPANION_CACHE_DIR"):
        config.cache_dir()


def test_the_tests_keep_downloads_and_keras_files_in_a_temporary_folder():
    # Set by conftest.py for the whole session: chapter 11's blocks prepare their split in the
    # cache, and nothing a test does may land in the reader's ~/.cache/companion or ~/.keras.
    import tempfile
    from pathlib import Path

    temp = Path(tempfile.gettempdir()).resolve()
    for name in ("COMPANION_CACHE_DIR", "KERAS_HOME"):
        assert Path(os.environ[name]).resolve().is_relative_to(temp), name
