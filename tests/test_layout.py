"""The layout rules the code keeps: pure Python without Odoo in tools/, one model per file,
no view of the addon inheriting another of its views, one definition of the aging buckets,
and the wkhtmltopdf fallback only for the unpatched build."""

import ast
import subprocess
import sys
from datetime import date
from pathlib import Path
from unittest.mock import patch

from common import ReconciliationCommon

from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.customer_reconciliation.models import engine, ir_actions_report
from odoo.addons.customer_reconciliation.tools import aging

ADDON = Path(__file__).resolve().parent.parent / "customer_reconciliation"


def test_tools_import_without_odoo():
    # Every module of tools/ loads in a Python where importing odoo fails.
    modules = sorted(
        ".".join(path.relative_to(ADDON / "tools").with_suffix("").parts)
        for path in (ADDON / "tools").rglob("*.py")
        if path.name != "__init__.py"
    )
    assert "customer_ledger.matching" in modules and "aging" in modules
    script = f"""
import importlib, importlib.util, sys
sys.modules["odoo"] = None  # any import of odoo raises ImportError
spec = importlib.util.spec_from_file_location(
    "cr_tools", {str(ADDON / "tools" / "__init__.py")!r},
    submodule_search_locations=[{str(ADDON / "tools")!r}])
package = importlib.util.module_from_spec(spec)
sys.modules["cr_tools"] = package
spec.loader.exec_module(package)
for name in {modules!r}:
    importlib.import_module("cr_tools." + name)
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_no_file_of_the_addon_over_600_lines():
    long_files = {
        str(path.relative_to(ADDON)): count
        for path in ADDON.rglob("*")
        if path.is_file()
        and path.suffix in (".py", ".xml", ".js", ".scss", ".csv")
        and (count := len(path.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert not long_files, f"split these files by what they do: {long_files}"


def _model_names(path):
    """The models a file defines or extends (``_name``, else ``_inherit``)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ClassDef):
            continue
        attrs = {
            target.id: stmt.value
            for stmt in node.body
            if isinstance(stmt, ast.Assign)
            for target in stmt.targets
            if isinstance(target, ast.Name)
        }
        value = attrs.get("_name") or attrs.get("_inherit")
        if isinstance(value, ast.Constant):
            names.add(value.value)
    return names


def test_one_model_per_file_named_after_it():
    for folder in ("models", "wizards", "reports"):
        for path in sorted((ADDON / folder).glob("*.py")):
            if path.name == "__init__.py":
                continue
            names = _model_names(path)
            if folder == "reports" and not names:
                continue  # the data provider, the workbook writer: plain Python
            assert len(names) == 1, f"{path.name} holds {sorted(names) or 'no model'}"
            (name,) = names
            stem = path.stem
            # A model of the addon drops the common prefix; the statement is split by step.
            expected = name.removeprefix("report.customer_reconciliation.")
            expected = expected.removeprefix("customer.reconciliation.").replace(".", "_")
            assert stem == expected or stem.startswith(f"{expected}_"), (path.name, name)


@tagged("post_install", "-at_install")
class TestLayout(ReconciliationCommon):
    def test_no_view_of_the_addon_inherits_another(self):
        Data = self.env["ir.model.data"]
        ours = Data.search(
            [("module", "=", "customer_reconciliation"), ("model", "=", "ir.ui.view")]
        )
        views = self.env["ir.ui.view"].browse(ours.mapped("res_id"))
        self.assertFalse(
            views.filtered(lambda view: view.inherit_id in views).mapped("xml_id"),
            "the addon extends its own views: write them out in one record",
        )

    def test_aging_buckets_have_one_definition(self):
        Session = self.env["customer.reconciliation.session"]
        OpenItem = self.env["customer.reconciliation.open.item"]
        self.assertEqual(
            [key for key, _label in OpenItem._fields["aging_bucket"].selection],
            [bucket.key for bucket in aging.BUCKETS],
        )
        for bucket in aging.BUCKETS:
            self.assertEqual(Session._fields[bucket.field].string, bucket.label)
        # The engine's SQL puts every day count in the bucket the Python definition says.
        days = list(range(-3, 200))
        self.env.cr.execute(
            SQL(
                "SELECT i.aging_days, %s FROM unnest(%s::int[]) AS i(aging_days) ORDER BY 1",
                engine.aging_bucket_case(),
                days,
            )
        )
        self.assertEqual(self.env.cr.fetchall(), [(day, aging.bucket_of(day).key) for day in days])
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM (SELECT d AS aging_days, 1 AS residual"
                " FROM unnest(%s::int[]) AS d) i",
                engine.aging_totals(),
                days,
            )
        )
        expected = [sum(1 for day in days if aging.bucket_of(day) is b) for b in aging.BUCKETS]
        self.assertEqual(list(self.env.cr.fetchone()), expected)

    def test_statement_aging_matches_its_open_items(self):
        customer = self._customer("Aging Co.")
        for months, amount in ((0, 100), (1, 200), (2, 300), (3, 400), (5, 500)):
            self._invoice(customer, amount, date(2026, 10 - months, 1), due_days=0)
        session = self.Engine.generate(
            self.company, date(2026, 1, 1), date(2026, 10, 31), customer.ids
        )["created"]
        by_bucket = {}
        for item in session.open_item_ids:
            by_bucket[item.aging_bucket] = by_bucket.get(item.aging_bucket, 0) + item.open_amount
        for bucket in aging.BUCKETS:
            self.assertAlmostEqual(session[bucket.field], by_bucket.get(bucket.key, 0.0))
        self.assertEqual(
            [amount for _label, amount in session._get_aging()],
            [session[name] for name in aging.FIELDS],
        )

    def test_pdf_fallback_only_without_the_patched_build(self):
        Report = self.env["ir.actions.report"]
        statement = "customer_reconciliation.action_report_reconciliation_statement"
        with patch.object(ir_actions_report, "wkhtmltopdf_has_patched_qt", lambda: True):
            self.assertFalse(Report._cr_needs_fallback(statement))
        with patch.object(ir_actions_report, "wkhtmltopdf_has_patched_qt", lambda: False):
            self.assertTrue(Report._cr_needs_fallback(statement))
            self.assertFalse(Report._cr_needs_fallback("account.account_invoices"))


@tagged("post_install", "-at_install")
class TestDemoLoader(ReconciliationCommon, HttpCase):
    def test_demo_loader_is_not_callable_remotely(self):
        # Only demo/demo_data.xml builds the demo company; nobody can over RPC, not a manager.
        new_test_user(
            self.env,
            login="demo_caller",
            groups="base.group_user,customer_reconciliation.group_reconciliation_manager",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        self.authenticate("demo_caller", "demo_caller")
        companies = self.env["res.company"].search_count([])
        with self.assertRaises(JsonRpcException) as caught:
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/customer.reconciliation.session/_load_demo_data",
                {
                    "model": "customer.reconciliation.session",
                    "method": "_load_demo_data",
                    "args": [],
                    "kwargs": {},
                },
            )
        self.assertIn("AccessError", caught.exception.args[0])
        self.assertEqual(self.env["res.company"].search_count([]), companies)
        self.assertFalse(
            self.env.ref("customer_reconciliation.demo_company_cn", raise_if_not_found=False)
        )
