"""Shared world of the portal tests: two customers, their portal users and statements."""

import re
from datetime import date, datetime

from common import ReconciliationCommon

from odoo import Command
from odoo.tests import new_test_user


class PortalCommon(ReconciliationCommon):
    """Customer A (two portal users: one on A itself, one on a contact of A) and customer B.

    A has a sent statement for October and a draft one for September; B has a sent statement.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.customer_a = cls._customer("Alpha Trading Co", email="ap@alpha.example", lang="en_US")
        cls.contact_a = Partner.create(
            {
                "name": "Alice Alpha",
                "parent_id": cls.customer_a.id,
                "email": "alice@alpha.example",
                "type": "contact",
            }
        )
        cls.customer_b = cls._customer("Beta Industries Ltd", email="ap@beta.example")
        cls.contact_b = Partner.create(
            {
                "name": "Bob Beta",
                "parent_id": cls.customer_b.id,
                "email": "bob@beta.example",
                "type": "contact",
            }
        )
        cls.customer_a.reconciliation_contact_id = cls.contact_a
        users = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.user_a = new_test_user(
            cls.env,
            login="portal_a",
            groups="base.group_portal",
            partner_id=cls.customer_a.id,
            **users,
        )
        cls.user_a_contact = new_test_user(
            cls.env,
            login="portal_a_contact",
            groups="base.group_portal",
            partner_id=cls.contact_a.id,
            **users,
        )
        cls.user_b = new_test_user(
            cls.env,
            login="portal_b",
            groups="base.group_portal",
            partner_id=cls.contact_b.id,
            **users,
        )
        cls.accountant = new_test_user(
            cls.env,
            login="accountant_r",
            groups="customer_reconciliation.group_reconciliation_user",
            name="Li Accountant",
            email="li@ourcompany.example",
            **users,
        )

        cls.inv_a1 = cls._invoice(cls.customer_a, 1000.0, date(2026, 10, 3), ref="PO-A-1")
        cls.inv_a2 = cls._invoice(cls.customer_a, 500.0, date(2026, 10, 12), ref="PO-A-2")
        cls._pay(cls.inv_a1, amount=300.0, pay_date=date(2026, 10, 20))
        cls.inv_b1 = cls._invoice(cls.customer_b, 777.0, date(2026, 10, 5), ref="PO-B-SECRET")
        cls._invoice(cls.customer_a, 50.0, date(2026, 9, 10))

        october = cls.Engine.generate(
            cls.company,
            date(2026, 10, 1),
            date(2026, 10, 31),
            (cls.customer_a | cls.customer_b).ids,
        )["created"]
        cls.sa = october.filtered(lambda s: s.partner_id == cls.customer_a)
        cls.sb = october.filtered(lambda s: s.partner_id == cls.customer_b)
        (cls.sa | cls.sb).write({"user_id": cls.accountant.id})
        (cls.sa | cls.sb)._workflow_write(
            {"state": "sent", "sent_date": datetime(2026, 11, 2, 9, 0)}
        )
        cls.sa_draft = cls.Engine.generate(
            cls.company, date(2026, 9, 1), date(2026, 9, 30), cls.customer_a.ids
        )["created"]
        cls.token_a = cls.sa._portal_ensure_token()
        cls.token_b = cls.sb._portal_ensure_token()
        cls.token_draft = cls.sa_draft._portal_ensure_token()


def csrf_from(html):
    match = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'csrf_token: "([^"]+)"', html
    )
    return match and match.group(1)
