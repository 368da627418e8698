"""One benchmark cell in a fresh process, so that its peak RSS and its time are its own: a session
loaded with the settings given, one task run through the Python API, its result's `as_dict()` printed
as JSON on stdout. Progress goes to stderr as plain lines.

    python -m infinicli.bench.cell passkey '{"length": 4000, "depth": 0.5, "trials": 1, "method": "infini"}'
    python -m infinicli.bench.cell summarize '{"path": "book.pdf", "strategy": "first", "length": "medium"}'

Bad options are one sentence on stderr and exit 2, as with the CLI.
"""

from __future__ import annotations

import json
import os
import sys

from infinicli.errors import InfiniError

# Session.load's settings; every other option goes to the task
SESSION = ("model", "method", "segment", "window", "pool", "block", "rule", "gate", "params", "probe_heads",
           "precision")
TASKS = ("passkey", "summarize")


def command(task: str, options: dict) -> str:
    """The shell command that runs this cell (kept in its JSON, so a figure can be re-made)."""
    return f"python -m infinicli.bench.cell {task} '{json.dumps(options, sort_keys=True)}'"


def run(task: str, options: dict, say=lambda line: print(line, file=sys.stderr, flush=True)) -> dict:
    """The cell's result as a dict (what `main` prints)."""
    if task not in TASKS:
        raise InfiniError(f"unknown bench cell {task!r}; choose {' or '.join(TASKS)}")
    from infinicli.session import Session

    settings = {k: v for k, v in options.items() if k in SESSION}
    rest = {k: v for k, v in options.items() if k not in SESSION}
    if task == "passkey":
        from infinicli.tasks import passkey as pk

        args = {"length": 4000, "depth": 0.5, "trials": 1, "seed": 0} | rest
        pk.check_options(args["length"], args["depth"], args["trials"])
        session = Session.load(**settings, say=say)

        def done(i: int, trial) -> None:
            say(f"trial {i}/{args['trials']}: key {trial.key}, {'found' if trial.correct else 'missed'} "
                f"({trial.tokens:,} tokens, {trial.seconds:,.0f} s)")

        return pk.run(session.engine, session.tok, args["length"], args["depth"], args["trials"], args["seed"],
                      on_done=done).as_dict()
    path, strategy = rest.pop("path"), rest.pop("strategy", "infini")
    session = Session.load(**settings, say=say)
    return session.summarize(path, strategy=strategy, **rest).as_dict()


def main() -> None:
    try:
        if len(sys.argv) != 3:
            raise InfiniError("usage: python -m infinicli.bench.cell TASK 'JSON OPTIONS'")
        try:
            options = json.loads(sys.argv[2])
        except ValueError:
            raise InfiniError("the cell's options are not JSON") from None
        if not isinstance(options, dict):
            raise InfiniError("the cell's options must be a JSON object")
        result = run(sys.argv[1], options)
    except (InfiniError, TypeError, KeyError) as exc:  # TypeError/KeyError: an option the task does not take
        if os.environ.get("INFINI_DEBUG"):
            raise
        print(f"infini bench cell: error: {exc}", file=sys.stderr)
        sys.exit(2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
