"""Config: defaults, env overrides, and one clear line per class of error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_example_file_loads_and_documents_every_key() -> None:
    example = ROOT / "config.example.toml"
    settings = load_settings(example, environ={})
    assert settings == Settings()  # the example shows the defaults
    text = example.read_text(encoding="utf-8")
    for section, field in Settings.model_fields.items():
        assert f"[{section}]" in text
        model = field.annotation
        assert isinstance(model, type)
        for key in model.model_fields:  # type: ignore[attr-defined]
            assert f"\n{key} =" in text, f"{section}.{key} is not documented"


def test_no_file_means_defaults_for_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert not settings.bot.has_token
    assert settings.locale.timezone == "Asia/Ho_Chi_Minh"
    assert settings.database.url.startswith("sqlite+aiosqlite:///data/")


def test_environment_overrides_file(tmp_path: Path) -> None:
    path = _write(tmp_path, '[database]\nurl = "sqlite+aiosqlite:///a.db"\n')
    settings = load_settings(
        path,
        environ={
            "CHITHI_DATABASE__URL": "postgresql+asyncpg://u@127.0.0.1:5432/chithi",
            "CHITHI_BOT__ADMINS": "[1, 2]",
            "CHITHI_FLOOD__PER_CHAT_PER_SECOND": "2",
        },
    )
    assert settings.database.url == "postgresql+asyncpg://u@127.0.0.1:5432/chithi"
    assert settings.bot.admins == [1, 2]
    assert settings.flood.per_chat_per_second == 2


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path / "nope.toml", environ={})
    assert str(err.value) == (
        f"{tmp_path / 'nope.toml'}: file not found; copy config.example.toml to "
        f"{tmp_path / 'nope.toml'} or pass --config PATH"
    )


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    path = _write(tmp_path, '[database]\nulr = "sqlite+aiosqlite:///x.db"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert str(err.value) == f"{path}: [database] ulr: unknown key (did you mean 'url'?)"


def test_unknown_section_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "[remindres]\noffsets = []\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert str(err.value) == f"{path}: [remindres]: unknown section (did you mean 'reminders'?)"


def test_wrong_type_says_what_is_expected(tmp_path: Path) -> None:
    path = _write(tmp_path, '[flood]\nper_chat_per_second = "fast"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    message = str(err.value)
    assert message.startswith(
        f"{path}: [flood] per_chat_per_second: Input should be a valid number"
    )
    assert message.endswith("got 'fast'")
    assert "\n" not in message


def test_bad_database_url_says_what_is_expected(tmp_path: Path) -> None:
    path = _write(tmp_path, '[database]\nurl = "mysql://root@localhost/chithi"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert str(err.value) == (
        f"{path}: [database] url: expected sqlite+aiosqlite:///path/to/file.db or "
        "postgresql+asyncpg://user@host:port/dbname, got 'mysql://root@localhost/chithi'"
    )


def test_bad_value_from_environment_names_the_variable(tmp_path: Path) -> None:
    path = _write(tmp_path, "")
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={"CHITHI_LOCALE__TIMEZONE": "Mars/Base"})
    assert str(err.value) == (
        f"{path} (via $CHITHI_LOCALE__TIMEZONE): [locale] timezone: expected an IANA time zone "
        "such as Asia/Ho_Chi_Minh, got 'Mars/Base'"
    )


def test_invalid_toml_is_one_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "[bot\ntoken = 1\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert str(err.value).startswith(f"{path}: invalid TOML:")
    assert "\n" not in str(err.value)


def test_token_never_appears_in_errors_or_repr(tmp_path: Path) -> None:
    secret = "123456:SECRET-TOKEN-VALUE"
    path = _write(tmp_path, f'[bot]\ntoken = "{secret}"\nadmins = "not a list"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert secret not in str(err.value)
    settings = load_settings(_write(tmp_path, f'[bot]\ntoken = "{secret}"\n'), environ={})
    assert secret not in repr(settings) and secret not in str(settings.model_dump())


def test_cli_prints_one_line_and_exit_code_2_without_traceback(tmp_path: Path) -> None:
    path = _write(tmp_path, "[bot]\ntokn = 'x'\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(path), "db", "upgrade"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"chithi: config error: {path}: [bot] tokn: unknown key (did you mean 'token'?)"
    )
    assert "Traceback" not in done.stderr
