"""The reminder cron: delays and counts, one phone follow-up, the deemed confirmation option."""

from datetime import datetime

from portal_common import PortalCommon

from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestPortalReminders(PortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sb._workflow_write({"state": "confirmed"})  # answered: never reminded
        cls.call = cls.env.ref("mail.mail_activity_data_call")

    def setUp(self):
        super().setUp()
        self.patch(
            type(self.env["ir.cron"]),
            "_commit_progress",
            lambda self, processed=0, remaining=None, deactivate=False: 60.0,
        )

    def _run(self, day, hour=10):
        self.env["customer.reconciliation.session"]._cron_send_reminders(
            now=datetime(2026, 11, day, hour)
        )

    def _reminders(self, session):
        return session.message_ids.filtered(
            lambda m: m.message_type == "comment" and "Reminder" in (m.subject or "")
        )

    def _followups(self, session):
        return session.activity_ids.filtered(lambda a: a.activity_type_id == self.call)

    def test_defaults(self):
        self.assertEqual(self.company.reconciliation_reminder_days, 7)
        self.assertEqual(self.company.reconciliation_reminder_max, 2)
        self.assertFalse(self.company.reconciliation_deemed_confirmation)

    def test_reminders_then_one_follow_up(self):
        # Sent on 2 November at 9:00; 7 days, at most 2 reminders.
        self._run(9, hour=8)
        self.assertEqual(self.sa.reminder_count, 0, "not yet 7 days")
        self._run(9)
        self.assertEqual(self.sa.reminder_count, 1)
        reminder = self._reminders(self.sa)
        self.assertEqual(len(reminder), 1, "each reminder is logged in the chatter")
        self.assertEqual(reminder.partner_ids, self.contact_a)
        self.assertIn(f"access_token={self.sa.access_token}", reminder.body)
        self._run(12)
        self.assertEqual(self.sa.reminder_count, 1, "7 days since the last reminder")
        self._run(16)
        self.assertEqual(self.sa.reminder_count, 2)
        self._run(20)
        self.assertFalse(self._followups(self.sa))
        self._run(23)
        self.assertEqual(self.sa.reminder_count, 2, "at most 2 reminders")
        activity = self._followups(self.sa)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.accountant)
        self.assertIn("follow up by phone", activity.summary)
        self._run(30)
        self.assertEqual(len(self._followups(self.sa)), 1, "the follow-up is created once")
        self.assertEqual(len(self._reminders(self.sa)), 2)
        self.assertFalse(self._reminders(self.sb), "answered statements are not reminded")
        self.assertEqual(self.sa.state, "sent", "no deemed confirmation by default")

    def test_company_settings(self):
        self.company.write({"reconciliation_reminder_days": 3, "reconciliation_reminder_max": 1})
        self._run(5)
        self.assertEqual(self.sa.reminder_count, 1)
        self._run(7)
        self.assertFalse(self._followups(self.sa))
        self._run(8)
        self.assertEqual(self.sa.reminder_count, 1)
        self.assertEqual(len(self._followups(self.sa)), 1)

    def test_follow_up_goes_to_salesperson_without_responsible(self):
        salesperson = self.env["res.users"].create(
            {
                "name": "Chen Sales",
                "login": "chen_sales",
                "email": "chen@ourcompany.example",
                "group_ids": [(6, 0, [self.env.ref("base.group_user").id])],
            }
        )
        self.sa.write({"user_id": False, "salesperson_id": salesperson.id})
        self.company.reconciliation_reminder_max = 0
        self._run(9)
        self.assertEqual(self._followups(self.sa).user_id, salesperson)

    def test_no_address_goes_straight_to_follow_up(self):
        self.contact_a.email = False
        self._run(9)
        self.assertFalse(self._reminders(self.sa))
        self._run(16)
        self.assertEqual(len(self._followups(self.sa)), 1)

    def test_deemed_confirmation(self):
        self.company.write(
            {"reconciliation_deemed_confirmation": True, "reconciliation_deemed_days": 10}
        )
        self._run(9)
        self.assertEqual(self.sa.reminder_count, 1)
        self._run(12, hour=8)
        self.assertEqual(self.sa.state, "sent")
        self._run(12)
        self.assertEqual(self.sa.state, "confirmed")
        self.assertEqual(self.sa.confirmation_channel, "deemed")
        self.assertTrue(self.sa.is_deemed_confirmed)
        self.assertFalse(self.sa.confirmed_by_name, "nobody confirmed it explicitly")
        self.assertIn("deemed", self.sa.confirmation_comment)
        self.assertTrue(any("Deemed confirmed" in (m.body or "") for m in self.sa.message_ids))
        self._run(30)
        self.assertFalse(self._followups(self.sa), "a deemed statement needs no follow-up")
