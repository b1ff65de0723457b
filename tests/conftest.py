"""pytest configuration for the tests in tests/ (outside the addon).

Odoo 19's ``BaseCase.__init_subclass__`` only sets ``test_tags`` / ``test_module``
on test classes whose module is ``odoo.addons.<module>...``, and ``BaseCase.__init__``
reads ``self.test_tags``. Test modules in this folder are imported by pytest under
plain names (``test_xxx``), so a direct subclass of ``TransactionCase`` / ``HttpCase``
would fail at collection with "object has no attribute 'test_tags'".
Give such classes the defaults Odoo would give a test of the addon.
"""

from odoo.tests import common

ADDON = "customer_reconciliation"

_odoo_init_subclass = common.BaseCase.__dict__["__init_subclass__"].__func__


def _init_subclass(cls, **kwargs):
    _odoo_init_subclass(cls, **kwargs)
    if not cls.__module__.startswith("odoo.addons."):
        if getattr(cls, "test_tags", None) is None:
            cls.test_tags = {"standard", "at_install"}
        if getattr(cls, "test_module", None) is None:
            cls.test_module = ADDON


common.BaseCase.__init_subclass__ = classmethod(_init_subclass)
