// The query page (server/templates/ui_index.html): YASGUI set up for this server, with the
// named queries as examples. A file of its own, so the page's Content-Security-Policy allows
// no inline script. Its settings come from the page's JSON block #cdkg-config (server/ui.py).
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("cdkg-config").textContent);
  var endpoint = new URL(cfg.endpointPath, window.location.href).href;
  var examples = {};
  cfg.examples.forEach(function (q) { examples[q.name] = q; });
  function onExample(handler) {
    document.querySelectorAll(".examples button[data-name]").forEach(function (button) {
      button.addEventListener("click", function () {
        var q = examples[button.getAttribute("data-name")];
        if (q) { handler(q, button.classList.contains("run")); }
      });
    });
  }
  var Yasgui = window.Yasgui;
  if (!Yasgui) {
    // Without YASGUI the examples fill the plain form (and run it).
    var form = document.querySelector("form.plain");
    onExample(function (q, run) {
      form.querySelector("textarea").value = q.text;
      form.closest("details").open = true;
      if (run) { form.submit(); }
    });
    return;
  }

  // Offline means offline: prefix completion from cdkg's own prefixes (never prefix.cc),
  // variable completion; no LOV class/property completion; an empty endpoint catalogue.
  Yasgui.Yasqe.forkAutocompleter("prefixes", {
    name: "cdkgPrefixes",
    persistenceId: null,
    get: function () {
      return Object.keys(cfg.prefixes).sort().map(function (p) {
        return p + ": <" + cfg.prefixes[p] + ">";
      });
    }
  }, false);
  Yasgui.Yasqe.defaults.autocompleters.splice(0, Infinity, "cdkgPrefixes", "variables");
  Yasgui.Yasqe.defaults.prefixCcApi = null;
  Yasgui.Yasqe.defaults.value = cfg.defaultQuery;
  Yasgui.Yasqe.defaults.createShortLink = undefined;
  Yasgui.defaults.endpointCatalogueOptions.getData = function () { return []; };

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    corsProxy: undefined,
    persistenceId: "cdkg-yasgui",
    tabName: "查询 Query",
    yasr: { prefixes: cfg.prefixes }
  });
  // Tabs restored from an earlier visit keep talking to this server, wherever it now runs.
  Object.keys(yasgui._tabs).forEach(function (id) { yasgui.getTab(id).setEndpoint(endpoint); });

  // Result IRIs under the instance base open this server's linked-data pages; ontology
  // terms open its documentation. IRIs in the data stay the w3id ones.
  function localHref(iri) {
    if (iri.indexOf(cfg.base) === 0 && iri.length > cfg.base.length) {
      return cfg.idPath + iri.slice(cfg.base.length);
    }
    if (iri === cfg.ontologyIri) { return cfg.ontologyPath; }
    if (iri.indexOf(cfg.ontologyNamespace) === 0) {
      return cfg.ontologyPath + "#" + iri.slice(cfg.ontologyNamespace.length);
    }
    return null;
  }
  // Only http(s) IRIs and this site's paths are links (as cdkg.links.safe_href on the
  // server): a javascript: or data: IRI in a result is shown as text.
  function webHref(href) {
    return /^https?:\/\//i.test(href) || (/^\//.test(href) && !/^\/[\/\\]/.test(href));
  }
  function localise(root) {
    root.querySelectorAll("a[href]").forEach(function (a) {
      var href = a.getAttribute("href");
      var local = localHref(href);
      if (local !== null) {
        a.setAttribute("data-iri", href);
        a.setAttribute("href", local);
      } else if (a.closest(".yasr") && !webHref(href.trim()) && href.charAt(0) !== "#") {
        a.setAttribute("data-iri", href);
        a.removeAttribute("href");
      }
    });
    root.querySelectorAll(".autocompleteWrapper input.autocomplete").forEach(function (input) {
      input.readOnly = true;
      input.title = "本服务器的 SPARQL 端点 · this server's SPARQL endpoint";
    });
  }
  var root = document.getElementById("yasgui");
  new MutationObserver(function () { localise(root); })
    .observe(root, { childList: true, subtree: true });
  localise(root);

  onExample(function (q, run) {
    var tab = yasgui.addTab(true, {
      name: q.title,
      yasqe: { value: q.text },
      requestConfig: { endpoint: endpoint }
    }, { avoidDuplicateTabs: true });
    tab = yasgui.getTab() || tab;
    try { tab.setQuery(q.text); } catch (e) { /* editor not drawn yet: addTab set it */ }
    if (run) { tab.query().catch(function () {}); }
  });
  window.cdkgYasgui = yasgui;
})();
