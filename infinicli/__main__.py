"""`infini` and `python -m infinicli`. The CLI's modules are imported inside main(), so a Ctrl-C that
lands while they load exits 130 with one line, as it does later (cli.main installs the handler)."""

import sys


def main() -> None:
    try:
        from infinicli.cli import main as run
    except KeyboardInterrupt:
        print("infini: interrupted", file=sys.stderr)
        sys.exit(130)
    run()


if __name__ == "__main__":
    main()
