"""Generation, continued: the sale orders and deliveries of the statements just (re)written.

Run after the engine has written the lines and totals of a batch of draft statements, with a
fixed number of queries whatever their number: the order lines whose delivered and invoiced
quantities differ at the end date become delivery lines, the lines of invoices get the orders
and deliveries behind them, the statements the totals of the bridge to a customer who books
goods on receipt.
"""

import json

from odoo import api, models
from odoo.tools import SQL

from .delivery_line import DELIVERED_NOT_INVOICED, INVOICED_NOT_DELIVERED

# The statements of ``ids`` with what the sale queries need: their company's time zone (the
# day a delivery was done), and whether only the orders in their currency count (a statement
# in a foreign currency shows only that currency's items, so only that currency's orders).
_STATEMENTS = """
    SELECT s.id, s.partner_id, s.company_id, s.currency_id, s.date_to,
           s.currency_id = c.currency_id AS in_company_currency,
           COALESCE((SELECT ARRAY_AGG(r.analytic_account_id)
                       FROM customer_reconciliation_session_analytic_rel r
                      WHERE r.session_id = s.id), '{}'::int[]) AS scope,
           COALESCE(NULLIF(cp.tz, ''), 'UTC') AS tz
      FROM unnest(%(ids)s::int[]) AS k(id)
      JOIN customer_reconciliation_session s ON s.id = k.id
      JOIN res_company c ON c.id = s.company_id
      JOIN res_partner cp ON cp.id = c.partner_id
"""

# A done stock move of an order line, as Odoo counts it in the delivered quantity
# (sale_stock's _get_outgoing_incoming_moves, strict): to the customer (not a return that is
# not refunded), or back from them when refunded; on the day it was done, in the company's
# time zone; its quantity in the order line's unit.
_MOVE_FACTS = """
    SELECT (m.date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date AS day,
           CASE WHEN ld.usage = 'customer'
                     AND (m.origin_returned_move_id IS NULL OR m.to_refund) THEN 1
                WHEN ld.usage <> 'customer' AND ls.usage IN ('customer', 'supplier')
                     AND m.to_refund THEN -1
                ELSE 0 END AS sign,
           m.quantity * COALESCE(mu.factor / NULLIF(%(line_factor)s, 0), 1) AS qty
"""

_GOODS_SQL = """
WITH sess AS (%(statements)s),
sol AS MATERIALIZED (
    SELECT s.id AS session_id, s.company_id, s.currency_id, s.date_to, s.tz,
           sl.id AS sale_line_id, sl.order_id, sl.product_id, lu.factor AS line_factor,
           COALESCE(lu.name->>%(lang)s, lu.name->>'en_US') AS uom_name,
           split_part(sl.name, E'\\n', 1) AS description, sl.price_total, sl.product_uom_qty,
           so.name AS order_name, so.client_order_ref, so.currency_id AS order_currency_id
      FROM sess s
      JOIN res_partner p ON p.commercial_partner_id = s.partner_id
      JOIN sale_order so ON so.partner_invoice_id = p.id AND so.company_id = s.company_id
      JOIN sale_order_line sl ON sl.order_id = so.id
      LEFT JOIN uom_uom lu ON lu.id = sl.product_uom_id
     WHERE so.state = 'sale'
       AND sl.display_type IS NULL
       AND sl.qty_delivered_method = 'stock_move'
       AND (s.in_company_currency OR so.currency_id = s.currency_id)
       AND (cardinality(s.scope) = 0 OR EXISTS (
            SELECT 1 FROM jsonb_object_keys(sl.analytic_distribution) AS k(key)
             WHERE string_to_array(k.key, ',')::int[] && s.scope))
),
delivered AS (
    SELECT o.session_id, o.sale_line_id, SUM(f.sign * f.qty) AS qty,
           STRING_AGG(DISTINCT pk.name || ' (' || f.day || ')', ', '
                      ORDER BY pk.name || ' (' || f.day || ')') AS refs,
           ARRAY_AGG(DISTINCT pk.name) FILTER (WHERE pk.name IS NOT NULL) AS names,
           MAX(f.day) AS last_date
      FROM sol o
      JOIN stock_move m ON m.sale_line_id = o.sale_line_id AND m.state = 'done'
                       AND m.product_id = o.product_id
      JOIN stock_location ls ON ls.id = m.location_id
      JOIN stock_location ld ON ld.id = m.location_dest_id
      JOIN uom_uom mu ON mu.id = m.product_uom
      LEFT JOIN stock_picking pk ON pk.id = m.picking_id
     CROSS JOIN LATERAL (%(move_facts)s) AS f
     WHERE f.sign <> 0 AND f.day <= o.date_to AND ld.usage <> 'inventory'
     GROUP BY o.session_id, o.sale_line_id
),
-- Posted invoices and credit notes dated on or before the end date (Odoo's qty_invoiced at a
-- date counts drafts too: a statement counts what is posted, as its receivable does).
invoiced AS (
    SELECT o.session_id, o.sale_line_id,
           SUM(CASE WHEN am.move_type = 'out_refund' THEN -1 ELSE 1 END * aml.quantity
               * COALESCE(iu.factor / NULLIF(o.line_factor, 0), 1)) AS qty,
           STRING_AGG(DISTINCT am.name, ', ' ORDER BY am.name) AS refs,
           MAX(am.invoice_date) AS last_date
      FROM sol o
      JOIN sale_order_line_invoice_rel r ON r.order_line_id = o.sale_line_id
      JOIN account_move_line aml ON aml.id = r.invoice_line_id
      JOIN account_move am ON am.id = aml.move_id
      LEFT JOIN uom_uom iu ON iu.id = aml.product_uom_id
     WHERE am.state = 'posted' AND am.move_type IN ('out_invoice', 'out_refund')
       AND am.invoice_date <= o.date_to
     GROUP BY o.session_id, o.sale_line_id
)
SELECT o.session_id, o.company_id, o.currency_id, o.date_to, o.sale_line_id, o.order_id,
       o.product_id, o.order_name, o.client_order_ref, o.description, o.uom_name,
       o.order_currency_id, o.price_total, o.product_uom_qty,
       ROUND(COALESCE(d.qty, 0), 6) AS qty_delivered, ROUND(COALESCE(i.qty, 0), 6) AS qty_invoiced,
       d.refs AS delivery_refs, d.names AS delivery_names, d.last_date AS last_delivery_date,
       i.refs AS invoice_refs, i.last_date AS last_invoice_date
  FROM sol o
  LEFT JOIN delivered d ON d.session_id = o.session_id AND d.sale_line_id = o.sale_line_id
  LEFT JOIN invoiced i ON i.session_id = o.session_id AND i.sale_line_id = o.sale_line_id
 WHERE ROUND(COALESCE(d.qty, 0) - COALESCE(i.qty, 0), 6) <> 0
 ORDER BY o.session_id, o.order_name, o.sale_line_id
"""

_INSERT_SQL = """
INSERT INTO customer_reconciliation_delivery_line (
    session_id, company_id, currency_id, kind, order_id, sale_line_id, product_id, order_name,
    client_order_ref, description, qty_delivered, qty_invoiced, quantity, uom_name,
    order_currency_id, price_unit_order, price_unit, amount, delivery_refs, last_delivery_date,
    invoice_refs, last_invoice_date, reference_keys,
    create_uid, create_date, write_uid, write_date)
SELECT r.session_id, r.company_id, r.currency_id, r.kind, r.order_id, r.sale_line_id,
       r.product_id, r.order_name, r.client_order_ref, r.description, r.qty_delivered,
       r.qty_invoiced, r.quantity, r.uom_name, r.order_currency_id, r.price_unit_order,
       r.price_unit, r.amount, r.delivery_refs, r.last_delivery_date, r.invoice_refs,
       r.last_invoice_date, r.reference_keys,
       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
  FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(
    session_id int, company_id int, currency_id int, kind varchar, order_id int,
    sale_line_id int, product_id int, order_name varchar, client_order_ref varchar,
    description varchar, qty_delivered numeric, qty_invoiced numeric, quantity numeric,
    uom_name varchar, order_currency_id int, price_unit_order numeric, price_unit numeric,
    amount numeric, delivery_refs varchar, last_delivery_date date, invoice_refs varchar,
    last_invoice_date date, reference_keys varchar)
"""

# The orders behind each invoice or credit note line, and the deliveries of the invoiced
# order lines done up to the end date.
_LINE_REFS_SQL = """
WITH sess AS (%(statements)s),
behind AS (
    SELECT DISTINCT l.id AS line_id, s.date_to, s.tz, sl.id AS sale_line_id,
           lu.factor AS line_factor, so.name, NULLIF(so.client_order_ref, '') AS po
      FROM sess s
      JOIN customer_reconciliation_line l ON l.session_id = s.id
      JOIN account_move_line li ON li.id = l.move_line_id
      JOIN account_move_line aml ON aml.move_id = li.move_id
      JOIN sale_order_line_invoice_rel r ON r.invoice_line_id = aml.id
      JOIN sale_order_line sl ON sl.id = r.order_line_id
      JOIN sale_order so ON so.id = sl.order_id
      LEFT JOIN uom_uom lu ON lu.id = sl.product_uom_id
     WHERE l.kind IN ('invoice', 'credit_note')
),
orders AS (
    SELECT line_id, STRING_AGG(DISTINCT name, ', ' ORDER BY name) AS orders,
           STRING_AGG(DISTINCT po, ', ' ORDER BY po) AS pos
      FROM behind GROUP BY line_id
),
deliveries AS (
    SELECT b.line_id, STRING_AGG(DISTINCT pk.name || ' (' || f.day || ')', ', '
                      ORDER BY pk.name || ' (' || f.day || ')') AS refs,
           MAX(f.day) AS last_date
      FROM behind b
      JOIN stock_move m ON m.sale_line_id = b.sale_line_id AND m.state = 'done'
      JOIN stock_picking pk ON pk.id = m.picking_id
      JOIN stock_location ls ON ls.id = m.location_id
      JOIN stock_location ld ON ld.id = m.location_dest_id
      JOIN uom_uom mu ON mu.id = m.product_uom
     CROSS JOIN LATERAL (%(move_facts)s) AS f
     WHERE f.sign <> 0 AND f.day <= b.date_to
     GROUP BY b.line_id
)
UPDATE customer_reconciliation_line l
   SET sale_order_refs = o.orders, client_order_refs = o.pos,
       delivery_refs = d.refs, last_delivery_date = d.last_date
  FROM orders o
  LEFT JOIN deliveries d ON d.line_id = o.line_id
 WHERE l.id = o.line_id
"""

_TOTALS_SQL = """
UPDATE customer_reconciliation_session s
   SET sale_delivered_not_invoiced = t.delivered,
       sale_invoiced_not_delivered = t.invoiced,
       sale_balance_on_receipt = s.closing_balance + t.delivered - t.invoiced
  FROM (
    SELECT k.id,
           COALESCE(SUM(d.amount) FILTER (WHERE d.kind = %(dni)s), 0) AS delivered,
           COALESCE(-SUM(d.amount) FILTER (WHERE d.kind = %(ind)s), 0) AS invoiced
      FROM unnest(%(ids)s::int[]) AS k(id)
      LEFT JOIN customer_reconciliation_delivery_line d ON d.session_id = k.id
     GROUP BY k.id
  ) t
 WHERE s.id = t.id
"""


class CustomerReconciliationEngine(models.AbstractModel):
    _inherit = "customer.reconciliation.engine"

    @api.model
    def _fill_sessions(self, sessions):
        result = super()._fill_sessions(sessions)
        if sessions:
            self._fill_sale_data(sessions)
        return result

    @api.model
    def _fill_sale_data(self, sessions):
        """(Re)write the delivery lines, the lines' order references and the sale totals of the
        draft statements ``sessions``, whose lines the engine has just written."""
        cr = self.env.cr
        ids = list(dict.fromkeys(sessions.ids))
        statements = SQL(_STATEMENTS, ids=ids)
        cr.execute(
            SQL("DELETE FROM customer_reconciliation_delivery_line WHERE session_id = ANY(%s)", ids)
        )
        cr.execute(
            SQL(
                _GOODS_SQL,
                statements=statements,
                lang=self.env.lang or "en_US",
                move_facts=SQL(_MOVE_FACTS, tz=SQL("o.tz"), line_factor=SQL("o.line_factor")),
            )
        )
        rows = self._delivery_line_values(cr.dictfetchall())
        if rows:
            cr.execute(SQL(_INSERT_SQL, rows=json.dumps(rows), uid=self.env.uid))
        cr.execute(
            SQL(
                _LINE_REFS_SQL,
                statements=statements,
                move_facts=SQL(_MOVE_FACTS, tz=SQL("b.tz"), line_factor=SQL("b.line_factor")),
            )
        )
        cr.execute(
            SQL(_TOTALS_SQL, ids=ids, dni=DELIVERED_NOT_INVOICED, ind=INVOICED_NOT_DELIVERED)
        )
        sessions.invalidate_recordset()
        self.env["customer.reconciliation.line"].invalidate_model()
        self.env["customer.reconciliation.delivery.line"].invalidate_model()

    @api.model
    def _delivery_line_values(self, goods):
        """The delivery lines of the order lines ``goods`` (rows of _GOODS_SQL): valued tax
        included at the order's unit price, converted to the statement currency at the end
        date (one rate per currency, company and day, not per line)."""
        Currency = self.env["res.currency"]
        rates = {}
        for row in goods:
            key = (row["order_currency_id"], row["currency_id"], row["company_id"], row["date_to"])
            if key[0] != key[1] and key not in rates:
                rates[key] = Currency._get_conversion_rate(
                    Currency.browse(key[0]),
                    Currency.browse(key[1]),
                    self.env["res.company"].browse(key[2]),
                    key[3],
                )
        currencies = {c.id: c for c in Currency.browse({row["currency_id"] for row in goods})}
        unordered = self._unit_prices_of_unordered(
            [row["sale_line_id"] for row in goods if not row["product_uom_qty"]]
        )
        result = []
        for row in goods:
            key = (row["order_currency_id"], row["currency_id"], row["company_id"], row["date_to"])
            rate = rates.get(key, 1.0)
            ordered = float(row["product_uom_qty"] or 0.0)
            if ordered:
                unit_order = float(row["price_total"] or 0.0) / ordered
            else:  # delivered without being ordered: Odoo adds a line of quantity 0
                unit_order = unordered.get(row["sale_line_id"], 0.0)
            delivered, invoiced = float(row["qty_delivered"]), float(row["qty_invoiced"])
            quantity = round(delivered - invoiced, 6)
            currency = currencies[row["currency_id"]]
            keys = [row["order_name"], row["client_order_ref"], *(row["delivery_names"] or [])]
            result.append(
                {
                    **{
                        name: row[name]
                        for name in (
                            "session_id",
                            "company_id",
                            "currency_id",
                            "order_id",
                            "sale_line_id",
                            "product_id",
                            "order_name",
                            "client_order_ref",
                            "description",
                            "uom_name",
                            "order_currency_id",
                            "delivery_refs",
                            "invoice_refs",
                        )
                    },
                    "kind": DELIVERED_NOT_INVOICED if quantity > 0 else INVOICED_NOT_DELIVERED,
                    "qty_delivered": delivered,
                    "qty_invoiced": invoiced,
                    "quantity": quantity,
                    "price_unit_order": unit_order,
                    "price_unit": unit_order * rate,
                    "amount": currency.round(quantity * unit_order * rate),
                    "last_delivery_date": _iso(row["last_delivery_date"]),
                    "last_invoice_date": _iso(row["last_invoice_date"]),
                    "reference_keys": "\n".join(dict.fromkeys(key for key in keys if key)),
                }
            )
        return result

    @api.model
    def _unit_prices_of_unordered(self, sale_line_ids):
        """{sale line id: unit price, tax included} of the order lines of ordered quantity 0
        (a product delivered without being ordered, added by Odoo at its price): their total
        is 0, so one unit is priced through their taxes as Odoo prices a line, discount
        included. Rare lines: priced one by one."""
        result = {}
        for line in self.env["sale.order.line"].sudo().browse(sale_line_ids):
            price = line.price_unit * (1 - (line.discount or 0.0) / 100.0)
            taxes = line.tax_ids.compute_all(
                price, line.order_id.currency_id, 1.0, line.product_id, line.order_partner_id
            )
            result[line.id] = taxes["total_included"]
        return result


def _iso(day):
    return day.isoformat() if day else None
