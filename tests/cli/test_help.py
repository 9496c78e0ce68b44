"""Every sub-command of ``cdkg`` says what it does, and every option has a help text (issue 17
item 10): ``cdkg --help`` lists the commands with a summary, ``cdkg NAME --help`` describes the
command and each of its options."""

from __future__ import annotations

import argparse

import pytest

from cdkg.cli import main, parser


def _commands() -> dict[str, tuple[str | None, argparse.ArgumentParser]]:
    root = parser()
    [subparsers] = [a for a in root._actions if isinstance(a, argparse._SubParsersAction)]
    summaries = {action.dest: action.help for action in subparsers._choices_actions}
    return {name: (summaries.get(name), sub) for name, sub in subparsers.choices.items()}


COMMANDS = _commands()


def test_the_commands_of_the_design() -> None:
    design = {"build", "serve", "query", "check", "export", "import", "laws", "push", "template"}
    assert design <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_and_option_has_help(name: str) -> None:
    summary, sub = COMMANDS[name]
    assert summary, f"cdkg {name} has no summary in cdkg --help"
    assert sub.description and len(sub.description) > 40, f"cdkg {name} has no description"
    missing = [
        "/".join(action.option_strings) or action.dest
        for action in sub._actions
        if not action.help and not isinstance(action, argparse._SubParsersAction)
    ]
    assert missing == [], f"cdkg {name}: options without help: {missing}"


def test_global_options_have_help() -> None:
    missing = [a.option_strings for a in parser()._actions if a.option_strings and not a.help]
    assert missing == []


def test_serve_help_names_host_and_port(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "--host" in out and "--port" in out and "127.0.0.1" in out
