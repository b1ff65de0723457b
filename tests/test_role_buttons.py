"""Every button a form shows a role works for that role, or the role does not see it.

For the statement, dispute and settlement forms, as each role (accountant, manager, the
customer's salesperson, auditor): the form as Odoo gives it to that user (``get_views`` removes
the nodes of groups the user lacks) is read as the web client reads it, then every object and
action button visible on a record in each state is pressed, in a savepoint rolled back. A
UserError that explains a missing precondition is fine; an AccessError is a failure, and so is a
button whose action opens what the role cannot read, create or download.
"""

from datetime import date

from lxml import etree
from psycopg2 import IntegrityError
from settlement_common import PERIOD, SettlementCommon

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

ROLES = ("accountant", "manager", "salesperson", "auditor")
FORMS = {
    "customer.reconciliation.session": "customer_reconciliation.view_reconciliation_session_form",
    "customer.reconciliation.dispute": "customer_reconciliation.view_reconciliation_dispute_form",
    "customer.reconciliation.settlement": (
        "customer_reconciliation.view_reconciliation_settlement_form"
    ),
}
SUBVIEWS = ("list", "kanban", "form")
SUB_RECORDS = 3  # rows of a one2many list whose buttons are pressed


def _csv(rows):
    return "\n".join(",".join(f'"{value}"' for value in row) for row in rows).encode()


@tagged("post_install", "-at_install")
class TestRoleButtons(SettlementCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.roles = {
            "accountant": cls.accountant,
            "manager": cls.manager,
            "salesperson": cls.salesperson,
            "auditor": cls.auditor,
        }
        states = (
            "draft",
            "to_approve",
            "approved",
            "sent",
            "ledger",
            "disputed",
            "disputes_done",
            "confirmed",
            "closed",
            "cancelled",
        )
        customers = cls.env["res.partner"]
        invoices = {}
        for state in states:
            customer = cls._customer(f"Role Customer {state}", user_id=cls.salesperson.id)
            customers |= customer
            invoices[state] = cls._invoice(customer, 2400, date(2026, 10, 5), ref=f"PO-{state}")
        created = cls.Engine.generate(cls.company, *PERIOD, customers.ids)["created"]
        created.user_id = cls.accountant
        cls.sessions = {
            state: created.filtered(lambda s, c=customer: s.partner_id == c)
            for state, customer in zip(states, customers, strict=True)
        }
        cls.sessions["cancelled"].with_user(cls.manager).action_cancel()
        frozen = created.filtered(lambda s: s.state == "draft") - cls.sessions["draft"]
        frozen.with_user(cls.accountant).action_submit()
        (frozen - cls.sessions["to_approve"]).with_user(cls.manager).action_approve()
        sent = frozen - cls.sessions["to_approve"] - cls.sessions["approved"]
        sent.with_user(cls.accountant).action_mark_sent()
        for state in ("confirmed", "closed"):
            evidence = cls.env["ir.attachment"].create({"name": f"{state}.pdf", "raw": b"%PDF"})
            cls.sessions[state]._record_confirmation(
                "Ms. Li", channel="internal", attachments=evidence
            )
        cls.sessions["closed"].with_user(cls.manager).action_close()
        # A statement compared with the customer's ledger: one line matched, one of theirs only.
        invoice = invoices["ledger"]
        cls.sessions["ledger"]._import_customer_ledger(
            "theirs.csv",
            _csv(
                [
                    ["Date", "Reference", "Memo", "Amount"],
                    ["2026-10-05", invoice.name, "Goods", "-2400.00"],
                    ["2026-10-20", "THEIRS-9", "Freight", "-120.00"],
                ]
            ),
        )
        # Disputes in every state, settlements awaiting a manager and done.
        disputed = cls.sessions["disputed"]
        cls.disputes = {
            state: disputed._record_dispute([{"reason": "other", "customer_amount": amount}])
            for state, amount in (
                ("new", 2300.0),
                ("investigating", 2350.0),
                ("bad_debt", 0.0),
                ("resolved", 2390.0),
            )
        }
        cls.disputes["investigating"].with_user(cls.accountant).action_investigate()
        cls.settlements = {
            "to_approve": cls._settle_as(
                cls.disputes["bad_debt"], settlement_type="bad_debt", root_cause="customer_error"
            ),
            "done": cls._settle_as(
                cls.disputes["resolved"],
                settlement_type="explanation",
                explanation="Freight the customer booked twice.",
            ),
        }
        nobody = cls._customer("Nobody's Customer")
        cls._invoice(nobody, 50, date(2026, 10, 6))
        cls.nobodys = cls.Engine.generate(cls.company, *PERIOD, nobody.ids)["created"]
        settled = cls.sessions["disputes_done"]
        cls.disputes["rejected"] = settled._record_dispute(
            [{"reason": "other", "customer_amount": 100.0}]
        )
        cls.disputes["rejected"].with_user(cls.accountant).action_reject("Our books are right.")

    @classmethod
    def _settle_as(cls, disputes, **vals):
        wizard = (
            cls.Wizard.with_user(cls.accountant)
            .with_context(default_dispute_ids=[Command.set(disputes.ids)])
            .create(vals)
        )
        return cls.Settlement.browse(wizard.action_settle()["res_id"])

    # ------------------------------------------------------------------ the form, as the client
    def _arch(self, model, user):
        view = self.env.ref(FORMS[model])
        views = self.env[model].with_user(user).get_views([(view.id, "form")])
        return etree.fromstring(views["views"]["form"]["arch"])

    def _field_nodes(self, node):
        """The <field> nodes of a view, not those of the sub-views of its x2many fields."""
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "field":
                yield child
            else:
                yield from self._field_nodes(child)

    def _subview(self, field_node):
        for tag in SUBVIEWS:
            found = field_node.find(tag)
            if found is not None:
                return found
        return None

    def _spec(self, view, model):
        """What the web client reads for ``view`` of ``model`` (the web_read specification)."""
        spec = {}
        Model = self.env[model]
        for node in self._field_nodes(view):
            field = Model._fields[node.get("name")]
            if field.type == "many2one":
                spec[field.name] = {"fields": {"display_name": {}}}
            elif field.type in ("one2many", "many2many"):
                sub = self._subview(node)
                sub_spec = self._spec(sub, field.comodel_name) if sub is not None else {}
                spec[field.name] = {"fields": sub_spec or {"display_name": {}}, "limit": 40}
            else:
                spec[field.name] = {}
        return spec

    def _eval_values(self, user, record, values, parent=None):
        ctx = {"id": record.id, "uid": user.id, "context": {}, "parent": parent or {}}
        for name, value in values.items():
            if isinstance(value, dict):  # many2one read with its display name
                value = value["id"]
            elif isinstance(value, list):
                value = [v["id"] if isinstance(v, dict) else v for v in value]
            ctx[name] = value
        return ctx

    def _hidden(self, node, ctx, stop):
        """Whether ``node`` or one of its parents up to ``stop`` is invisible for ``ctx``."""
        while node is not None and node is not stop:
            for attr in ("invisible", "column_invisible"):
                expr = node.get(attr)
                if expr and safe_eval(expr, ctx):
                    return True
            node = node.getparent()
        return False

    def _buttons(self, view):
        """The object and action buttons of ``view``, not those of its x2many sub-views."""
        for child in view:
            if not isinstance(child.tag, str) or child.tag == "field":
                continue
            if child.tag == "button" and child.get("type") in ("object", "action"):
                yield child
            else:
                yield from self._buttons(child)

    # ------------------------------------------------------------------ pressing a button
    def _press(self, user, record, button, ctx):
        """Press ``button`` on ``record`` as ``user``; return what went wrong, or None."""
        context = safe_eval(button.get("context") or "{}", ctx)
        record = record.with_user(user).with_context(**context)
        if button.get("type") == "object":
            result = getattr(record, button.get("name"))()
        else:
            action = self.env["ir.actions.actions"].browse(int(button.get("name")))
            action = self.env[action.type].browse(action.id)
            if action.group_ids and not (action.group_ids & user.all_group_ids):
                return f"action {action.name} is for {action.group_ids.mapped('name')}"
            result = action.read()[0]
            result["context"] = {
                **safe_eval(result.get("context") or "{}", {"active_id": record.id}),
                "active_id": record.id,
                "active_ids": record.ids,
                "active_model": record._name,
                **context,
            }
        return self._follow(user, record, result)

    def _follow(self, user, record, result):
        """Open what a button returned, as the web client would, as ``user``."""
        if not isinstance(result, dict):
            return None
        kind = result.get("type")
        if kind == "ir.actions.act_window":
            evaluation = {"active_id": record.id, "uid": user.id}
            context = result.get("context") or {}
            if isinstance(context, str):
                context = safe_eval(context, evaluation)
            domain = result.get("domain") or []
            if isinstance(domain, str):
                domain = safe_eval(domain, evaluation)
            views = result.get("views") or [(False, t) for t in result["view_mode"].split(",")]
            self._open_window(
                user, result["res_model"], views, domain, context, result.get("res_id")
            )
        elif kind == "ir.actions.report":
            response = self.url_open(f"/report/html/{result['report_name']}/{record.id}")
            if response.status_code != 200:
                return f"report {result['report_name']}: HTTP {response.status_code}"
        elif kind == "ir.actions.act_url":
            response = self.url_open(result["url"], allow_redirects=False)
            if response.status_code >= 400:
                return f"{result['url']}: HTTP {response.status_code}"
        return None

    # ------------------------------------------------------------------ the walk
    def _records(self, model):
        if model == "customer.reconciliation.session":
            return dict(self.sessions)
        if model == "customer.reconciliation.dispute":
            return dict(self.disputes)
        return dict(self.settlements)

    def _shown_buttons(self, user, arch, record, values):
        """(record, button, evaluation context) of each button the form shows on ``record``,
        those of the rows of its one2many lists included (a few rows each)."""
        ctx = self._eval_values(user, record, values)
        shown = [(record, b, ctx) for b in self._buttons(arch) if not self._hidden(b, ctx, arch)]
        for node in self._field_nodes(arch):
            sub = self._subview(node)
            if sub is None or self._hidden(node, ctx, arch):
                continue
            comodel = record._fields[node.get("name")].comodel_name
            for row in values[node.get("name")][:SUB_RECORDS]:
                sub_record = self.env[comodel].browse(row["id"])
                sub_ctx = self._eval_values(user, sub_record, row, parent=ctx)
                shown += [
                    (sub_record, button, sub_ctx)
                    for button in self._buttons(sub)
                    if not self._hidden(button, sub_ctx, sub)
                ]
        return shown

    def _walk(self, role, model, pressed):
        """Open every record of ``model`` as ``role`` and press each button it shows; count
        the buttons pressed in ``pressed`` and return what failed."""
        user = self.roles[role]
        failures = []
        arch = self._arch(model, user)
        spec = self._spec(arch, model)
        for state, record in self._records(model).items():
            where = f"{role} on {model} {state}"
            try:
                [values] = record.with_user(user).web_read(spec)
            except AccessError as error:
                failures.append(f"{where}: the form does not open: {str(error).splitlines()[0]}")
                continue
            for target, button, ctx in self._shown_buttons(user, arch, record, values):
                label = button.get("string") or button.get("title") or button.get("name")
                pressed[label] = pressed.get(label, 0) + 1
                with self.env.cr.savepoint(flush=False) as savepoint:
                    try:
                        problem = self._press(user, target, button, ctx)
                    except AccessError as error:
                        problem = f"AccessError: {str(error).splitlines()[0]}"
                    except UserError:
                        problem = None  # a precondition the message explains
                    finally:
                        self.env.invalidate_all()
                    savepoint.rollback()
                if problem:
                    failures.append(f"{where}: {label!r}: {problem}")
        return failures

    def test_every_shown_button_works_for_its_role(self):
        failures = []
        pressed = {role: {} for role in ROLES}
        for role in ROLES:
            self.authenticate(self.roles[role].login, self.roles[role].login)
            for model in FORMS:
                failures += self._walk(role, model, pressed[role])
        self.assertFalse(failures, "\n".join(failures))
        # The walk pressed what each role's job is made of, and the auditor nothing that acts.
        jobs = {
            "accountant": {"Submit for Approval", "Send", "Record Customer Answer", "Settle"},
            "manager": {"Approve", "Reject", "Close", "Approve and Post", "Reopen"},
            "salesperson": {"Record Customer Answer", "Print", "Excel", "Export XLSX"},
            "auditor": {"Print", "Excel", "Verify", "Export XLSX"},
        }
        for role, labels in jobs.items():
            self.assertLessEqual(labels, set(pressed[role]), role)
        acting = {"Record Customer Answer", "Import Customer's Ledger", "Compare Again"}
        self.assertFalse(acting & set(pressed["auditor"]))
        self.assertFalse(
            {"Import Customer's Ledger", "Work the Differences"} & set(pressed["salesperson"])
        )
        self.assertGreater(sum(pressed["accountant"].values()), 50)

    # ------------------------------------------------------------------ the ways in
    def _open_window(self, user, model, views, domain=(), context=None, res_id=None):
        """Open a window action as ``user``: a wizard's defaults, else its first view (the
        form of ``res_id``) with the records it reads; returns these records."""
        Model = self.env[model].with_user(user).with_context(**(context or {}))
        if Model._transient:
            Model.check_access("create")
            Model.default_get(list(Model._fields))
            return Model
        view_id, view_type = (
            next((view for view in views if view[1] == "form"), views[0]) if res_id else views[0]
        )
        arch = etree.fromstring(Model.get_views([(view_id, view_type)])["views"][view_type]["arch"])
        spec = self._spec(arch, model)
        if res_id:
            Model.browse(res_id).web_read(spec)
            return Model.browse(res_id)
        result = Model.web_search_read(list(domain), spec, limit=80)
        return Model.browse([row["id"] for row in result["records"]])

    def _open_menu(self, user, menu):
        """Open ``menu``'s action as ``user``."""
        action = menu.action
        evaluation = {"uid": user.id, "active_id": False}
        return self._open_window(
            user,
            action.res_model,
            [(False, view_type) for view_type in action.view_mode.split(",")],
            safe_eval(action.domain or "[]", evaluation),
            safe_eval(action.context or "{}", evaluation),
        )

    def test_each_role_has_a_way_in(self):
        app = self.env.ref("customer_reconciliation.menu_reconciliation_root")
        menus = self.env["ir.ui.menu"].search([("id", "child_of", app.id)])
        # Reconciliation › Analysis: everything for accountants and auditors; a salesperson
        # his customers' figures and alerts.
        theirs = {"Payment Behaviour and Credit", "Receivables by Salesperson", "Alerts"}
        analysis = theirs | {
            "Aging Trend",
            "DSO Trend",
            "Reconciliation KPIs",
            "Statements by State",
            "Disputes by Reason and Root Cause",
        }
        # Collections: salespeople report theirs; the others read them and their exceptions.
        collections = {"Collections", "Exceptions", "Received, Never Reported"}
        common = (
            {"Statements", "Disputes", "Settlements", "Ledger Imports", "Figures Refreshes"}
            | analysis
            | collections
        )
        expected = {
            "accountant": common | {"Generate Statements", "Generation Runs", "Statement Sendings"},
            "manager": common
            | {"Generate Statements", "Generation Runs", "Statement Sendings"}
            | {"Settings", "Statement Tags", "Bulk Approvals"},
            "salesperson": {"Statements", "Disputes", "Report a Collection", "Collections"}
            | theirs,
            "auditor": common,
        }
        for role, user in self.roles.items():
            visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
            # Shown when the menu and all its parents are visible to the user.
            shown = menus.filtered(
                lambda menu, ids=visible: (
                    menu.action
                    and all(int(part) in ids for part in menu.parent_path.strip("/").split("/"))
                )
            )
            self.assertIn(app.id, visible, role)
            self.assertEqual(set(shown.mapped("name")), expected[role], role)
            for menu in shown:
                with self.subTest(role=role, menu=menu.name):
                    opened = self._open_menu(user, menu)
                    if menu.name == "Statements" and role == "salesperson":
                        # His customers' statements, not the others'.
                        self.assertIn(self.sessions["sent"], opened)
                        self.assertNotIn(self.nobodys, opened)
                    elif menu.name == "Statements":
                        self.assertIn(self.nobodys, opened)

    def test_salesperson_opens_the_comparison_of_his_customers_only(self):
        ledger = self.sessions["ledger"].with_user(self.salesperson)
        self.assertEqual(len(ledger.customer_match_ids), 2)
        self.assertEqual(len(ledger.customer_line_ids), 2)
        Match = self.env["customer.reconciliation.match"].with_user(self.salesperson)
        self.assertEqual(Match.search([]), ledger.customer_match_ids)
        self.sessions["ledger"].salesperson_id = self.accountant
        self.env.invalidate_all()
        self.assertFalse(Match.search([]))
        with self.assertRaises(AccessError):
            self.sessions["ledger"].customer_match_ids.with_user(self.salesperson).read(["status"])

    def test_no_duplicate_of_statements(self):
        # A copy would be the same customer, period and version: the database refuses it.
        Session = self.env["customer.reconciliation.session"]
        for view_type in ("form", "list"):
            arch = Session.get_views([(False, view_type)])["views"][view_type]["arch"]
            self.assertEqual(etree.fromstring(arch).get("duplicate"), "0", view_type)

    # ------------------------------------------------------------------ the manager configures
    def test_manager_configures_reconciliation_without_being_administrator(self):
        self.assertFalse(self.manager.has_group("base.group_system"))
        Wizard = self.env["customer.reconciliation.config.wizard"].with_user(self.manager)
        defaults = Wizard.default_get(list(Wizard._fields))
        self.assertEqual(defaults["company_id"], self.company.id)
        wizard = Wizard.create({})
        self.assertEqual(wizard.reconciliation_bad_debt_limit, 1000.0)
        self.assertEqual(wizard.reconciliation_writeoff_account_id, self.writeoff_account)
        wizard = Wizard.create(
            {
                "reconciliation_generation_day": 5,
                "reconciliation_default_frequency": "quarterly",
                "reconciliation_approver_id": self.manager2.id,
                "reconciliation_extra_account_ids": [Command.set(self.advance_account.ids)],
            }
        )
        wizard.action_save()
        self.assertEqual(self.company.reconciliation_generation_day, 5)
        self.assertEqual(self.company.reconciliation_default_frequency, "quarterly")
        self.assertEqual(self.company.reconciliation_approver_id, self.manager2)
        self.assertEqual(self.company.reconciliation_extra_account_ids, self.advance_account)
        wizard.reconciliation_dispute_days = 20
        self.assertEqual(self.company.reconciliation_dispute_days, 20)
        # The company's own checks hold; so do the company of the accounts and the approver.
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            Wizard.create({"reconciliation_generation_day": 31})
            self.env.flush_all()
        other = self.setup_other_company(name="Elsewhere Ltd")
        other_account = other["default_account_expense"]
        with self.assertRaises(UserError):
            Wizard.create({"reconciliation_writeoff_account_id": other_account.id})
        with self.assertRaises(UserError):
            Wizard.create({"reconciliation_approver_id": self.user_portal_like().id})
        with self.assertRaises(AccessError):
            Wizard.create({"company_id": other["company"].id})
        self.assertEqual(self.company.reconciliation_writeoff_account_id, self.writeoff_account)
        # Nobody else: the accountant, the auditor, the salesperson.
        for user in (self.accountant, self.auditor, self.salesperson):
            with self.assertRaises(AccessError):
                Wizard.with_user(user).create({"reconciliation_generation_day": 7})
        self.assertEqual(self.company.reconciliation_generation_day, 5)

    def user_portal_like(self):
        return self.env["res.users"].create(
            {
                "name": "Portal Approver",
                "login": "cr_portal_approver",
                "group_ids": [Command.set(self.env.ref("base.group_portal").ids)],
            }
        )

    # ------------------------------------------------------------------ customers' settings
    def test_accountant_sets_a_customer_reconciliation_and_nothing_else(self):
        customer = self.sessions["draft"].partner_id
        contact = self.env["res.partner"].create(
            {"name": "Ms. Zhou", "parent_id": customer.id, "email": "zhou@example.com"}
        )
        self.env["res.lang"]._activate_lang("zh_CN")
        for user in (self.accountant, self.manager):
            with self.assertRaises(AccessError):
                customer.with_user(user).write({"reconciliation_frequency": "yearly"})
        # The customer form offers them the wizard, and not to the auditor or the salesperson.
        button = "//button[@string='Change Statement Settings']"
        for user, shown in ((self.accountant, True), (self.auditor, False)):
            arch = self.env["res.partner"].with_user(user).get_views([(False, "form")])
            found = etree.fromstring(arch["views"]["form"]["arch"]).xpath(button)
            self.assertEqual(bool(found), shown, user.login)
        Wizard = self.env["customer.reconciliation.partner.settings.wizard"]
        wizard = (
            Wizard.with_user(self.accountant)
            .with_context(active_model="res.partner", active_id=contact.id)
            .create(
                {
                    "reconciliation_frequency": "quarterly",
                    "reconciliation_contact_id": contact.id,
                    "reconciliation_lang": "zh_CN",
                    "name": "Renamed",
                }
            )
        )
        self.assertEqual(wizard.partner_id, customer, "the customer, not the contact")
        self.assertEqual(customer.reconciliation_frequency, "quarterly")
        self.assertEqual(customer.reconciliation_contact_id, contact)
        self.assertEqual(customer.reconciliation_lang, "zh_CN")
        self.assertEqual(customer.name, "Role Customer draft")
        wizard.with_user(self.manager).write({"reconciliation_frequency": "yearly"})
        self.assertEqual(customer.reconciliation_frequency, "yearly")
        # Another customer's contact does not receive this one's statements.
        stranger = self.sessions["sent"].partner_id
        with self.assertRaises(UserError):
            Wizard.with_user(self.accountant).create(
                {"partner_id": customer.id, "reconciliation_contact_id": stranger.id}
            )
        with self.assertRaises(UserError):
            Wizard.with_user(self.accountant).create({"partner_id": contact.id})
        for user in (self.auditor, self.salesperson):
            with self.assertRaises(AccessError):
                Wizard.with_user(user).create(
                    {"partner_id": customer.id, "reconciliation_frequency": "never"}
                )
        self.assertEqual(customer.reconciliation_frequency, "yearly")
