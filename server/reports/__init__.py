"""Checks, reports and exports of a built dataset, with no web framework (read side).

``checks`` runs the library's check queries and the SHACL shapes, ``check_report`` renders a
run as Markdown or HTML, ``duties`` reads the duty table that ``exports`` writes as CSV or
Excel (cells through ``spreadsheet``), ``law_text_coverage`` lists cited documents with or
without their texts, ``links`` turns IRIs into safe links. The doors — ``cdkg check``,
``cdkg export``, ``cdkg laws`` and the site's /report — call these and only print or render.
"""
