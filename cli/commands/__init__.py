"""The sub-commands of ``cdkg``, one module each: argument parsing and printing only.

Each module exposes ``register(commands)``, which adds its sub-parser with
``set_defaults(handler=...)``; a handler returns the exit status. The work is done below, in
cdkg.loaders (build, import), cdkg.server.store (query, push), cdkg.server.reports (check,
export, laws) and cdkg.queries; ``common`` holds the exit codes and the project folders.
"""
