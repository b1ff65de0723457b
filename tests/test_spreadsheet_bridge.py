"""The bridge customer_reconciliation_spreadsheet: its dashboard's JSON against the registry.

CI installs only customer_reconciliation, so these tests read the bridge's files from the
repository and check them against the main addon's models: every pivot, list and chart names
an existing model and fields, its measures are stored aggregatable fields and its queries run,
the global filters match existing fields of the right type, the formulas name existing pivots,
lists, measures and bucket keys, the sample file is self-contained, and the .po files translate
every term Odoo extracts from the two files. When the bridge happens to be installed
(auto_install: spreadsheet_dashboard comes with account), its record is checked too."""

import ast
import json
import re
import shutil
import subprocess
from pathlib import Path

import polib
from lxml import etree

from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import extract_spreadsheet_terms

ROOT = Path(__file__).resolve().parent.parent
BRIDGE = ROOT / "customer_reconciliation_spreadsheet"
FILES = BRIDGE / "data" / "files"
LIVE = FILES / "reconciliation_dashboard.json"
SAMPLE = FILES / "reconciliation_sample_dashboard.json"
ODOO_DASHBOARD = "spreadsheet_dashboard_account/data/files/invoicing_dashboard.json"
DASHBOARD_XMLID = "customer_reconciliation_spreadsheet.dashboard_customer_reconciliation"
NUMERIC = ("integer", "float", "monetary")
AGGREGATORS = ("sum", "avg", "min", "max", "count", "count_distinct")

# a string literal, or any other argument up to the next comma or parenthesis
_ARG = r'"(?:[^"\\]|\\.)*"|[^,()"]+'
_CALL = re.compile(r"\b(PIVOT(?:\.VALUE|\.HEADER)?|ODOO\.LIST(?:\.HEADER)?)\(")


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _manifest(addon):
    return ast.literal_eval((ROOT / addon / "__manifest__.py").read_text(encoding="utf-8"))


def _calls(formula):
    """[(function, [arguments])] of the PIVOT* and ODOO.LIST* calls in ``formula``; a string
    argument keeps its quotes, a nested call is returned as its own call."""
    calls = []
    for match in _CALL.finditer(formula):
        depth, args, current, i = 0, [], "", match.end()
        while i < len(formula):
            char = formula[i]
            if char == '"':
                end = formula.index('"', i + 1)
                current += formula[i : end + 1]
                i = end + 1
                continue
            if char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                args.append(current.strip())
                current = ""
                i += 1
                continue
            current += char
            i += 1
        args.append(current.strip())
        calls.append((match[1], [a for a in args if a != ""]))
    return calls


def _literal(arg):
    if arg.startswith('"') and arg.endswith('"'):
        return arg[1:-1]
    if re.fullmatch(r"\d+", arg):
        return arg
    return None  # a reference or an expression


def _cells(data):
    for sheet in data["sheets"]:
        for ref, content in sheet["cells"].items():
            yield sheet["name"], ref, content


def _charts(data):
    """(figure, chart definition) of every chart, carousel charts included."""
    for sheet in data["sheets"]:
        for fig in sheet["figures"]:
            if fig["tag"] == "chart":
                yield fig, fig["data"]
            elif fig["tag"] == "carousel":
                for definition in fig["data"]["chartDefinitions"].values():
                    yield fig, definition


def test_manifest_depends_and_auto_install():
    manifest = _manifest("customer_reconciliation_spreadsheet")
    assert manifest["depends"] == ["customer_reconciliation", "spreadsheet_dashboard"]
    assert manifest["auto_install"] is True
    assert manifest["version"] == "19.0.1.0.0"
    assert manifest["license"] == "LGPL-3"
    assert manifest["author"] == _manifest("customer_reconciliation")["author"]
    for name in manifest["data"]:
        assert (BRIDGE / name).is_file(), name
    # the main addon keeps its dependencies
    assert "spreadsheet_dashboard" not in _manifest("customer_reconciliation")["depends"]


def test_files_have_odoo_dashboard_format():
    odoo_data = json.loads(Path(file_path(ODOO_DASHBOARD)).read_text(encoding="utf-8"))
    for path in (LIVE, SAMPLE):
        data = _load(path)
        assert data["version"] == odoo_data["version"], path.name
        assert set(odoo_data) <= set(data), (path.name, set(odoo_data) - set(data))
        sheet_keys = set(odoo_data["sheets"][0])
        for sheet in data["sheets"]:
            assert sheet_keys <= set(sheet), (path.name, sheet["name"])
        # since 18.5 a chart's definition carries its figure's id
        for fig, chart in _charts(data):
            if fig["tag"] == "chart":
                assert chart.get("chartId") == fig["id"], (path.name, fig["id"])
        figure_ids = [fig["id"] for sheet in data["sheets"] for fig in sheet["figures"]]
        assert len(figure_ids) == len(set(figure_ids)), path.name
        assert int(data["pivotNextId"]) > max(map(int, data["pivots"]), default=0)
        assert int(data["listNextId"]) > max(map(int, data["lists"]), default=0)


def test_live_file_uses_every_source_and_the_sample_none():
    live = _load(LIVE)
    models = {p["model"] for p in live["pivots"].values()}
    assert models == {
        "customer.reconciliation.aging.trend",
        "customer.reconciliation.snapshot",
        "customer.reconciliation.kpi",
    }
    assert {li["model"] for li in live["lists"].values()} == {"customer.reconciliation.insight"}
    kinds = {(c["type"], c["metaData"]["resModel"], c.get("stacked")) for _f, c in _charts(live)}
    assert kinds == {
        ("odoo_bar", "customer.reconciliation.aging.trend", True),
        ("odoo_line", "customer.reconciliation.snapshot", False),
    }
    assert {f["type"] for f in live["globalFilters"]} == {"date", "relation"}
    # the sample is shown when there is no data: static values only
    sample = _load(SAMPLE)
    assert not sample["pivots"] and not sample["lists"] and not sample["globalFilters"]
    for sheet, ref, content in _cells(sample):
        assert not _calls(content), (sheet, ref, content)
    for _fig, chart in _charts(sample):
        assert not chart["type"].startswith("odoo_"), chart["type"]


def test_sample_references_existing_sheets():
    sample = _load(SAMPLE)
    names = {sheet["name"] for sheet in sample["sheets"]}
    refs = re.compile(r"(\w+)!\$?[A-Z]+\$?\d+")
    texts = [content for _s, _r, content in _cells(sample) if content.startswith("=")]
    for _fig, chart in _charts(sample):
        texts += [ds["dataRange"] for ds in chart.get("dataSets", [])]
        texts.append(chart.get("labelRange", ""))
    for text in texts:
        for name in refs.findall(text):
            assert name in names, text


def _po_terms():
    terms = set()
    for path in (LIVE, SAMPLE):
        with path.open("rb") as f:
            terms |= {term for _line, _fn, term, _c in extract_spreadsheet_terms(f, [], [], {})}
    return terms


def test_translations_cover_the_dashboard():
    terms = _po_terms() | {"Customer Reconciliation"}
    i18n = BRIDGE / "i18n"
    pot = polib.pofile(str(i18n / "customer_reconciliation_spreadsheet.pot"))
    assert {e.msgid for e in pot} == terms
    for lang, name in (("zh_CN", "客户对账"), ("zh_TW", "客戶對帳")):
        po = polib.pofile(str(i18n / f"{lang}.po"))
        assert po.metadata["Language"] == lang
        translated = {e.msgid: e.msgstr for e in po if not e.obsolete}
        assert set(translated) == terms, lang
        assert all(translated.values()), [k for k, v in translated.items() if not v]
        assert translated["Customer Reconciliation"] == name
        entry = po.find("Customer Reconciliation")
        assert f"model:spreadsheet.dashboard,name:{DASHBOARD_XMLID}" in entry.comment + "".join(
            f"{a}:{b}" for a, b in entry.occurrences
        )
    if shutil.which("msgfmt"):
        for path in sorted(i18n.glob("*.po")):
            result = subprocess.run(
                ["msgfmt", "-c", "-o", "/dev/null", str(path)],
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, result.stderr


@tagged("post_install", "-at_install")
class TestSpreadsheetBridge(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.live = _load(LIVE)
        cls.filters = {f["id"]: f for f in cls.live["globalFilters"]}

    # ------------------------------------------------------------------ helpers
    def _field(self, model, chain):
        """The field at the end of ``chain`` (``partner_id.user_id``) from ``model``."""
        Model = self.env[model]
        field = None
        for name in chain.split("."):
            self.assertIn(name, Model._fields, f"{Model._name} has no field {name!r}")
            field = Model._fields[name]
            if field.relational:
                Model = self.env[field.comodel_name]
        return field

    def _groupby(self, model, spec):
        name, _sep, granularity = spec.partition(":")
        field = self._field(model, name)
        self.assertTrue(field.store, f"{model}.{name} is not stored: it cannot group")
        if granularity:
            self.assertIn(field.type, ("date", "datetime"), spec)
        return field

    def _measure(self, model, name, aggregator=None):
        if name == "__count":
            return
        field = self._field(model, name)
        self.assertIn(field.type, NUMERIC, f"{model}.{name} is not a number")
        self.assertTrue(field.store, f"{model}.{name} is not stored")
        self.assertTrue(field.aggregator, f"{model}.{name} has no aggregator")
        if aggregator:
            self.assertIn(aggregator, AGGREGATORS)

    def _check_matching(self, model, matching):
        for filter_id, match in matching.items():
            self.assertIn(filter_id, self.filters, f"{model}: unknown global filter {filter_id}")
            gfilter = self.filters[filter_id]
            field = self._field(model, match["chain"])
            self.assertTrue(field.store, f"{model}.{match['chain']} cannot be searched")
            if gfilter["type"] == "date":
                self.assertIn(field.type, ("date", "datetime"), match)
                self.assertEqual(match["type"], field.type)
            else:
                self.assertEqual(field.type, "many2one", match)
                self.assertEqual(field.comodel_name, gfilter["modelName"], match)

    def _check_action(self, xmlid, model):
        action = self.env.ref(xmlid)
        self.assertEqual(action.res_model, model, xmlid)

    # ------------------------------------------------------------------ sources
    def test_pivots_read_existing_fields_and_their_queries_run(self):
        for pivot_id, pivot in self.live["pivots"].items():
            model = pivot["model"]
            self.assertIn(model, self.env, f"pivot {pivot_id}: no model {model}")
            self.assertEqual(pivot["formulaId"], pivot_id)
            groupbys = []
            for dim in pivot["rows"] + pivot["columns"]:
                self._groupby(model, dim["fieldName"])
                granularity = dim.get("granularity")
                groupbys.append(
                    f"{dim['fieldName']}:{granularity}" if granularity else dim["fieldName"]
                )
            measure_ids = set()
            specs = []
            for measure in pivot["measures"]:
                self._measure(model, measure["fieldName"], measure.get("aggregator"))
                measure_ids.add(measure["id"])
                specs.append(f"{measure['fieldName']}:{measure['aggregator']}")
                self.assertEqual(measure["id"], specs[-1])
            if pivot.get("sortedColumn"):
                self.assertIn(pivot["sortedColumn"]["measure"], measure_ids)
            self._check_matching(model, pivot["fieldMatching"])
            self._check_action(pivot["actionXmlId"], model)
            # the very query the spreadsheet sends
            self.env[model]._read_group(pivot["domain"], groupbys, specs)

    def test_lists_read_existing_fields(self):
        for list_id, li in self.live["lists"].items():
            model = li["model"]
            self.assertIn(model, self.env, f"list {list_id}: no model {model}")
            for name in li["columns"]:
                self._field(model, name)
            for order in li["orderBy"]:
                self.assertTrue(self._field(model, order["name"]).store, order)
            self._check_matching(model, li["fieldMatching"])
            self._check_action(li["actionXmlId"], model)
            order = ", ".join(f"{o['name']} {'asc' if o['asc'] else 'desc'}" for o in li["orderBy"])
            self.env[model].search_fetch(li["domain"], li["columns"], order=order, limit=10)
        top = self.live["lists"]["1"]
        self.assertEqual(top["orderBy"], [{"name": "overdue_amount", "asc": False}])
        for name in ("partner_id", "overdue_amount", "dso_3", "score", "credit_action"):
            self.assertIn(name, top["columns"])

    def test_charts_read_existing_fields_and_their_queries_run(self):
        menus = self.live["chartOdooMenusReferences"]
        for fig, chart in _charts(self.live):
            meta = chart["metaData"]
            model = meta["resModel"]
            self.assertIn(model, self.env)
            for spec in meta["groupBy"]:
                self._groupby(model, spec)
            self._measure(model, meta["measure"])
            self.assertEqual(chart["searchParams"]["groupBy"], meta["groupBy"])
            self._check_matching(model, chart["fieldMatching"])
            self._check_action(chart["actionXmlId"], model)
            aggregator = self.env[model]._fields[meta["measure"]].aggregator
            self.env[model]._read_group([], meta["groupBy"], [f"{meta['measure']}:{aggregator}"])
            self.assertIn(fig["id"], menus)
        figure_ids = {fig["id"] for fig, _chart in _charts(self.live)}
        for figure_id, xmlid in menus.items():
            self.assertIn(figure_id, figure_ids)
            self.assertEqual(self.env.ref(xmlid)._name, "ir.ui.menu")

    def test_global_filters(self):
        labels = {f["label"]: f for f in self.live["globalFilters"]}
        self.assertEqual(set(labels), {"Period", "Company", "Salesperson"})
        self.assertEqual(labels["Company"]["modelName"], "res.company")
        self.assertEqual(labels["Salesperson"]["modelName"], "res.users")
        sources = [*self.live["pivots"].values(), *self.live["lists"].values()]
        sources += [chart for _fig, chart in _charts(self.live)]
        company, salesperson = labels["Company"]["id"], labels["Salesperson"]["id"]
        for source in sources:
            model = source.get("model") or source["metaData"]["resModel"]
            fields = self.env[model]._fields
            # company on every source; salesperson wherever the model has one
            self.assertEqual(source["fieldMatching"][company]["chain"], "company_id")
            if "salesperson_id" in fields:
                self.assertEqual(source["fieldMatching"][salesperson]["chain"], "salesperson_id")
            else:
                self.assertNotIn(salesperson, source["fieldMatching"])

    # ------------------------------------------------------------------ formulas
    def test_formulas_name_existing_pivots_lists_and_measures(self):
        pivots = {p["formulaId"]: p for p in self.live["pivots"].values()}
        lists = self.live["lists"]
        seen = set()
        for sheet, ref, content in _cells(self.live):
            for function, args in _calls(content):
                where = f"{sheet}!{ref}: {content}"
                source_id = _literal(args[0])
                self.assertIsNotNone(source_id, where)
                if function.startswith("PIVOT"):
                    self.assertIn(source_id, pivots, where)
                    self._check_pivot_args(function, pivots[source_id], args[1:], where)
                else:
                    self.assertIn(source_id, lists, where)
                    field = _literal(args[-1] if function == "ODOO.LIST" else args[1])
                    self.assertIn(field, lists[source_id]["columns"], where)
                seen.add((function, source_id))
        # every pivot and list is shown
        self.assertEqual({i for f, i in seen if f.startswith("PIVOT")}, set(pivots))
        self.assertEqual({i for f, i in seen if f.startswith("ODOO")}, set(lists))

    def _check_pivot_args(self, function, pivot, args, where):
        if function == "PIVOT":
            return
        measures = {m["id"] for m in pivot["measures"]}
        if function == "PIVOT.VALUE":
            self.assertIn(_literal(args[0]), measures, where)
            args = args[1:]
        dims = {
            f"{d['fieldName']}:{d['granularity']}" if d.get("granularity") else d["fieldName"]: d
            for d in pivot["rows"] + pivot["columns"]
        }
        for dim, value in zip(args[::2], args[1::2]):
            dim = _literal(dim)
            if dim == "measure":
                self.assertIn(_literal(value), measures, where)
                continue
            self.assertIn(dim, dims, where)
            field = self._field(pivot["model"], dim.partition(":")[0])
            key = _literal(value)
            if field.type == "selection" and key is not None:
                self.assertIn(key, [k for k, _label in field.selection], where)

    def test_aging_table_lists_every_bucket_in_order(self):
        # the server would order the buckets by key: the table asks for each one by name
        selection = self.env["customer.reconciliation.aging.trend"]._fields["bucket"].selection
        rows = {}
        for _sheet, ref, content in _cells(self.live):
            for function, args in _calls(content):
                if function == "PIVOT.VALUE" and len(args) == 6 and _literal(args[4]) == "bucket":
                    col, row = re.fullmatch(r"([A-Z]+)(\d+)", ref).groups()
                    rows.setdefault(int(row), []).append((col, _literal(args[5])))
        self.assertEqual(len(rows), 12, "one row per month of the last 12")
        for row, keys in rows.items():
            self.assertEqual([key for _col, key in sorted(keys)], [k for k, _l in selection], row)

    # ------------------------------------------------------------------ the record
    def test_dashboard_record_data(self):
        tree = etree.parse(str(BRIDGE / "data" / "dashboards.xml"))
        (record,) = tree.iterfind("//record[@model='spreadsheet.dashboard']")
        fields = {f.get("name"): f for f in record.iterfind("field")}
        self.assertEqual(fields["name"].text, "Customer Reconciliation")
        addon_path = "customer_reconciliation_spreadsheet/data/files/"
        self.assertEqual(fields["spreadsheet_binary_data"].get("file"), addon_path + LIVE.name)
        self.assertEqual(fields["sample_dashboard_file_path"].text, addon_path + SAMPLE.name)
        self.assertEqual(
            fields["dashboard_group_id"].get("ref"),
            "spreadsheet_dashboard.spreadsheet_dashboard_group_finance",
        )
        groups = re.findall(r"ref\('([\w.]+)'\)", fields["group_ids"].get("eval"))
        self.assertEqual(
            groups,
            [
                "customer_reconciliation.group_reconciliation_user",
                "customer_reconciliation.group_reconciliation_auditor",
            ],
        )
        for xmlid in groups:
            self.assertEqual(self.env.ref(xmlid)._name, "res.groups")
        (model_ref,) = re.findall(r"ref\('([\w.]+)'\)", fields["main_data_model_ids"].get("eval"))
        self.assertEqual(self.env.ref(model_ref).model, "customer.reconciliation.snapshot")

    def test_installed_dashboard_when_the_bridge_is(self):
        dashboard = self.env.ref(DASHBOARD_XMLID, raise_if_not_found=False)
        if not dashboard:
            self.skipTest("customer_reconciliation_spreadsheet is not installed")
        self.assertEqual(json.loads(dashboard.spreadsheet_data), self.live)
        self.assertEqual(
            dashboard.dashboard_group_id,
            self.env.ref("spreadsheet_dashboard.spreadsheet_dashboard_group_finance"),
        )
        self.assertEqual(
            set(dashboard.group_ids.mapped(lambda g: g.get_external_id()[g.id])),
            {
                "customer_reconciliation.group_reconciliation_user",
                "customer_reconciliation.group_reconciliation_auditor",
            },
        )
        self.assertEqual(dashboard._get_sample_dashboard(), _load(SAMPLE))
        self.env["customer.reconciliation.snapshot"].search([]).unlink()
        self.assertTrue(dashboard._dashboard_is_empty())
        self.assertEqual(dashboard._get_dashboard_translation_namespace(), BRIDGE.name)
        if self.env["res.lang"]._lang_get("zh_CN").active:
            self.assertEqual(dashboard.with_context(lang="zh_CN").name, "客户对账")
