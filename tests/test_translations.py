"""zh_CN and zh_TW translate every term of customer_reconciliation that Odoo extracts today."""

from translations_common import untranslated

from odoo.tests import TransactionCase


class TestTranslations(TransactionCase):
    def test_every_term_is_in_the_pot_and_translated(self):
        self.assertEqual(untranslated(self.env, "customer_reconciliation"), {})
