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
  function scrollToEditor() {
    var editor = document.getElementById("editor");
    if (editor) { editor.scrollIntoView({ block: "start" }); }
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
  plainTable(Yasgui.Yasr.plugins.table);
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
    scrollToEditor();
  });

  // The result as a spreadsheet: the server runs the editor's query again and answers the
  // same table as the named-query pages (column labels, labels for IRIs, numbers as numbers).
  var downloads = document.getElementById("result-downloads");
  if (downloads) {
    downloads.hidden = false;
    downloads.querySelectorAll("button[data-format]").forEach(function (button) {
      button.addEventListener("click", function () {
        var form = document.createElement("form");
        form.method = "post";
        form.action = cfg.tablePath;
        [["query", yasgui.getTab().getQuery()], ["format", button.getAttribute("data-format")]]
          .forEach(function (pair) {
            var input = document.createElement("input");
            input.type = "hidden";
            input.name = pair[0];
            input.value = pair[1];
            form.appendChild(input);
          });
        document.body.appendChild(form);
        form.submit();
        form.remove();
      });
    });
  }
  window.cdkgYasgui = yasgui;

  // YASR's table for people: a column x with a column xLabel is one column, the IRI shown by
  // its label; column titles from the query library's labels (queries/columns.csv), never a
  // variable name alone; literals as plain text (no quotes, language tags or datatypes),
  // numbers as numbers (sorted as numbers); whole texts wrapped, never cut; row numbers whole.
  function plainTable(Table) {
    if (!Table || !Table.prototype) { return; }
    var proto = Table.prototype;
    var numeric = /#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger)$/;
    var getColumns = proto.getColumns;
    proto.getColumns = function () {
      var columns = getColumns.call(this);
      var bindings = (this.yasr.results && this.yasr.results.getBindings()) || [];
      var names = columns.map(function (c) { return c.name; });
      // x shown by xLabel; and the first IRI column without one by ?label (?duty ?label)
      // (and xType by xLabel, as ?listType ?listLabel: queries/columns.py label_columns)
      function labelOf(n) {
        if (names.indexOf(n + "Label") >= 0) { return n + "Label"; }
        var short = n.replace(/Type$/, "") + "Label";
        return short !== n + "Label" && names.indexOf(short) >= 0 ? short : null;
      }
      var labelled = names.filter(function (n) { return n && labelOf(n); });
      var hidden = labelled.map(labelOf);
      var first = names.filter(function (n) {
        return n && n !== "label" && labelled.indexOf(n) < 0 && bindings.length &&
          bindings.every(function (row) { return !row[n] || row[n].type === "uri"; });
      })[0];
      var byLabel = names.indexOf("label") >= 0 && first ? first : null;
      var labels = {};
      bindings.forEach(function (row) {
        labelled.forEach(function (name) {
          if (row[name] && row[name].type === "uri" && row[labelOf(name)]) {
            labels[row[name].value] = row[labelOf(name)].value;
          }
        });
        if (byLabel && row[byLabel] && row.label) { labels[row[byLabel].value] = row.label.value; }
      });
      this.cdkgLabels = labels;
      this.persistentConfig.isEllipsed = false;
      columns.forEach(function (column) {
        if (!column.name) { return; }
        if (hidden.indexOf(column.name) >= 0 || (column.name === "label" && byLabel)) {
          column.visible = false;
        }
        var title = cfg.columns[column.name];
        if (title) {
          column.title = escapeHtml(title[0]) +
            (title[1] ? " <span class=\"en\" lang=\"en\">" + escapeHtml(title[1]) + "</span>" : "");
        }
        var render = column.render;
        column.render = function (value, type, row, meta) {
          if ((type === "sort" || type === "type") && value && value.datatype && numeric.test(value.datatype)) {
            return Number(value.value);
          }
          return render(value, type, row, meta);
        };
      });
      return columns;
    };
    proto.getSizeFirstColumn = function () {
      var rows = (this.yasr.results && this.yasr.results.getBindings()) || [];
      return String(rows.length).length * 10 + 16;
    };
    proto.getCellContent = function (binding, prefixes) {
      var text = document.createElement("span");
      if (binding.type === "uri") {
        var link = document.createElement("a");
        link.className = "iri";
        link.setAttribute("href", binding.value);
        link.setAttribute("target", "_blank");  // as YASR does: the results stay
        link.setAttribute("rel", "noopener noreferrer");
        var label = this.cdkgLabels && this.cdkgLabels[binding.value];
        link.textContent = label || shortIri(binding.value, prefixes);
        link.title = binding.value;
        text.appendChild(link);
      } else {
        text.className = binding.datatype && numeric.test(binding.datatype) ? "nonIri cdkg-num" : "nonIri";
        var isBoolean = binding.datatype === "http://www.w3.org/2001/XMLSchema#boolean";
        text.textContent = isBoolean ? (binding.value === "true" ? "是" : "否") : binding.value;
      }
      var cell = document.createElement("div");
      cell.appendChild(text);
      return cell.outerHTML;
    };
  }
  function escapeHtml(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }
  function shortIri(iri, prefixes) {
    var names = Object.keys(prefixes || {});
    for (var i = 0; i < names.length; i++) {
      var ns = prefixes[names[i]];
      if (ns && iri.indexOf(ns) === 0 && iri.length > ns.length) { return names[i] + ":" + iri.slice(ns.length); }
    }
    return iri;
  }
})();
