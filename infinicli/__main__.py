"""`infini` and `python -m infinicli`: the error boundary around the Typer app in cli.py.

Bad input (a usage error too) becomes one sentence on stderr and exit 2; a bug one line and exit 1;
Ctrl-C, at any moment (the CLI's modules are imported after the handler is in place), one line and
exit 130. INFINI_DEBUG=1 shows the traceback instead."""

import os
import signal
import sys

from infinicli.errors import InfiniError, Interrupted


def _on_sigint(signum, frame) -> None:
    raise Interrupted("interrupted; nothing was written")


def _say(line: str, code: int) -> None:
    print(line, file=sys.stderr)
    sys.exit(code)


def main() -> None:
    signal.signal(signal.SIGINT, _on_sigint)
    debug = bool(os.environ.get("INFINI_DEBUG"))
    try:
        from infinicli.cli import app

        code = app(standalone_mode=False)
    except InfiniError as exc:
        if debug:
            raise
        from infinicli.ui import clean

        message = clean(str(exc)).replace("\n", " ")  # it may quote an input: never a control sequence
        _say(f"infini: error: {message}" if exc.exit_code == 2 else f"infini: {message}", exc.exit_code)
    except (Interrupted, KeyboardInterrupt) as exc:
        if debug:
            raise
        _say(f"infini: {str(exc) or 'interrupted'}", 130)
    except Exception as exc:
        if debug:
            raise
        from infinicli.ui import clean

        if type(exc).__name__ == "Abort":  # click's (vendored by Typer) Ctrl-C at a prompt
            _say("infini: interrupted", 130)
        if not hasattr(exc, "format_message"):  # a bug, not bad input: still one line
            first = clean(str(exc).strip().splitlines()[0][:200]) if str(exc).strip() else ""
            _say(f"infini: internal error ({type(exc).__name__}{': ' + first if first else ''}); "
                 "INFINI_DEBUG=1 shows the traceback", 1)
        ctx = getattr(exc, "ctx", None)  # click's usage errors
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:  # `infini` alone: the help
            print(ctx.get_help())
            sys.exit(0)
        hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        message = clean(exc.format_message()).replace("Value error, ", "")  # Typer's validation prefix
        _say(f"infini: error: {message}{hint}", getattr(exc, "exit_code", 2) or 2)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
