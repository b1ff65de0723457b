"""Pure Python helpers of the addon: no Odoo import, usable and testable without a database."""
