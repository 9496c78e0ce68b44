"""cdkg's endpoint as the target of a federated query (SPARQL 1.1 SERVICE) sent by Oxigraph
server and by Virtuoso.

cdkg's own server (waitress, in a thread, over the built dataset) runs on 127.0.0.1; each
server is asked a query whose SERVICE clause points at it — alone, and joined with data the
server holds itself. Virtuoso needs two grants for its anonymous SPARQL user (see
``VIRTUOSO_GRANTS`` in conftest.py).
"""

from __future__ import annotations

import pyoxigraph as ox
import requests
from conftest import DUTY_6, DUTY_6_LABEL, CdkgEndpoint, SparqlServer, record

from cdkg.server.store import QueryOptions
from cdkg.server.store.gsp import Build
from cdkg.server.store.remote import RemoteStore


def run(server: SparqlServer, query: str) -> list[dict[str, object]]:
    """The rows of ``query`` sent to ``server`` (by form POST, as Virtuoso wants)."""
    response = requests.post(
        server.endpoint,
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    parsed = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QuerySolutions)
    names = [v.value for v in parsed.variables]
    return [{n: s[n] for n in names if s[n] is not None} for s in parsed]


def test_service_alone(server: SparqlServer, cdkg_endpoint: CdkgEndpoint) -> None:
    query = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label WHERE {{
  SERVICE <{cdkg_endpoint.sparql}> {{ <{DUTY_6}> rdfs:label ?label }}
}}"""
    rows = run(server, query)
    assert [row["label"].value for row in rows] == [DUTY_6_LABEL]  # type: ignore[attr-defined]


def test_service_joined_with_local_data(
    loaded: SparqlServer, cdkg_endpoint: CdkgEndpoint, built: Build
) -> None:
    """The server's own duties of Chongqing, labelled by cdkg over SERVICE."""
    query = f"""PREFIX cd: <https://w3id.org/cdkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?duty ?label WHERE {{
  GRAPH <https://w3id.org/cdkg/id/graph/chongqing> {{ ?duty a cd:AssistanceDuty }}
  SERVICE <{cdkg_endpoint.sparql}> {{ ?duty rdfs:label ?label }}
}}"""
    rows = run(loaded, query)
    labels = {str(row["duty"].value): row["label"].value for row in rows}  # type: ignore[attr-defined]
    assert labels[DUTY_6] == DUTY_6_LABEL
    local = RemoteStore(loaded.endpoint).select(
        "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { GRAPH <https://w3id.org/cdkg/id/graph/chongqing>"
        " { ?d a <https://w3id.org/cdkg/ontology#AssistanceDuty> } }",
        QueryOptions(),
    )
    assert len(labels) == int(local[0]["n"])  # type: ignore[call-overload]
    record(f"SERVICE join from {loaded.name}", f"{len(rows)} rows")


def test_service_through_upstream_mode_is_refused_by_default(loaded: SparqlServer) -> None:
    """``cdkg serve --upstream`` keeps cdkg's rule: SERVICE is refused unless allowed, so the
    upstream is never made to call out on a visitor's behalf."""
    from cdkg.server.app import create_app
    from cdkg.server.config import ServerConfig

    app = create_app(loaded.remote(), ServerConfig())
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    response = app.test_client().get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert "SERVICE" in response.get_data(as_text=True)


def test_the_cdkg_endpoint_answers_a_service_style_request(cdkg_endpoint: CdkgEndpoint) -> None:
    """What a SERVICE client sends (a form POST, Accept: SPARQL results) is answered."""
    query = f"SELECT ?l WHERE {{ <{DUTY_6}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    response = requests.post(
        cdkg_endpoint.sparql,
        data={"query": query},
        headers={"Accept": "application/sparql-results+xml, application/sparql-results+json;q=0.9"},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/sparql-results+xml")
    assert DUTY_6_LABEL in response.text
