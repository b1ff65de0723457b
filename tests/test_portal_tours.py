"""Tours in headless Chromium: a logged-in customer disputes, another confirms via the link."""

from portal_common import PortalCommon

from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestPortalTours(PortalCommon, HttpCase):
    def test_portal_user_disputes_one_line(self):
        self.start_tour(
            "/my/statements", "customer_reconciliation_portal_dispute", login="portal_a"
        )
        self.sa.invalidate_recordset()
        self.assertEqual(self.sa.state, "disputed")
        dispute = self.sa.dispute_ids
        self.assertEqual(len(dispute), 1)
        self.assertEqual(len(dispute.line_ids), 1)
        self.assertEqual(dispute.line_ids, self.sa._portal_lines()[:1])
        self.assertEqual(dispute.reason, "amount_differs")
        self.assertEqual(dispute.customer_amount, 480)
        self.assertEqual(dispute.comment, "We were invoiced 480, not 500")
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", dispute._name), ("res_id", "=", dispute.id)]
        )
        self.assertEqual(attachment.name, "remittance.txt")
        self.assertEqual(attachment.raw, b"Remittance advice: 480.00")

    def test_customer_confirms_through_the_emailed_link(self):
        self.start_tour(
            self.sa.get_portal_url(), "customer_reconciliation_portal_confirm", login=None
        )
        self.sa.invalidate_recordset()
        self.assertEqual(self.sa.state, "confirmed")
        self.assertEqual(self.sa.confirmation_channel, "link")
        self.assertEqual(self.sa.confirmed_by_name, "Alice Alpha")
        self.assertEqual(self.sa.confirmed_by_title, "Chief Accountant")
        self.assertTrue(self.sa.confirmation_user_agent)
