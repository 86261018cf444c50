"""The ``shopchat`` command line; one module per subcommand."""
