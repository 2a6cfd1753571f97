"""CLI subcommands: every module here with register(subparsers) is a `foibot` subcommand."""
