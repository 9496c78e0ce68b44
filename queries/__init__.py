"""The named queries: the *.rq files of this folder and ``library``, which reads them.

Each .rq file runs unchanged in any SPARQL tool; ``cdkg.queries.library`` parses the comment
header (titles, kind, severity, parameters) and binds parameter values safely. The server,
``cdkg query`` and ``cdkg check`` all read the queries through it.
"""
