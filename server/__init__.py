"""The SPARQL endpoint and linked-data site (Flask): the web door.

``store/`` (the engines) and ``reports/`` (checks, reports, exports) are the read side and
import no web framework; the modules beside them are the site. Of the loaders the server reads
only ``cdkg.loaders.layout`` (where a build is published), never the build pipeline.
"""
