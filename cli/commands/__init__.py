"""The sub-commands of ``cdkg``, one module each: argument parsing and printing only.

Each module is a ``common.Command``: ``NAME``, ``SUMMARY`` (for ``cdkg --help``), a docstring
whose second paragraph on is ``cdkg NAME --help``'s description, ``add_options(parser)`` and
``run(args)``, which returns the exit status; ``common.add_command`` registers it. The work is
done below, in cdkg.loaders (build, import), cdkg.server.store (query, push),
cdkg.server.reports (check, export, laws) and cdkg.queries; ``common`` holds the exit codes
and the project folders.
"""
