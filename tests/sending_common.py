"""Last November's statements of three customers, approved and ready to send, with Odoo's
SMTP mock: the world of the sending tests (test_portal_sending.py, test_sending_truth.py)."""

from datetime import date

from portal_common import PortalCommon

from odoo.addons.base.tests.common import MockSmtplibCase


class SendingCommon(PortalCommon, MockSmtplibCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_c = cls._customer("Gamma Foods", email="ap@gamma.example")
        cls._invoice(cls.customer_c, 250.0, date(2026, 11, 4))
        november = cls.Engine.generate(
            cls.company,
            date(2026, 11, 1),
            date(2026, 11, 30),
            (cls.customer_a | cls.customer_b | cls.customer_c).ids,
        )["created"]
        cls.na, cls.nb, cls.nc = (
            november.filtered(lambda s, p=p: s.partner_id == p)
            for p in (cls.customer_a, cls.customer_b, cls.customer_c)
        )
        november._workflow_write({"state": "approved", "user_id": cls.accountant.id})
        cls.Batch = cls.env["customer.reconciliation.send.batch"]
        cls.template = cls.env.ref("customer_reconciliation.mail_template_statement_send")
