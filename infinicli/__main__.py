from infinicli.cli import main

main()
