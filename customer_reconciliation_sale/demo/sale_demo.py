"""Demo data of the orders and deliveries, in the main addon's demo company (上海星河贸易).

A machinery customer ordered 10 bearings last month: 6 were delivered and invoiced, the last
4 delivered on the 28th and not invoiced by the month's end. Its own ledger books the goods on
receipt, so it shows the 4 bearings our statement does not: the statement's section "Goods
delivered, not yet invoiced" bridges the two, and the comparison calls it a timing difference.
"""

import csv
import io

from dateutil.relativedelta import relativedelta

from odoo import Command, fields

from odoo.addons.customer_reconciliation.demo.reconciliation_demo import DEMO_COMPANY_XMLID

DEMO_CUSTOMER_XMLID = "customer_reconciliation_sale.demo_customer_gusu"


def load(env):
    """Build the sale demo once, in the main addon's demo company (if it was loaded)."""
    company = env.ref(DEMO_COMPANY_XMLID, raise_if_not_found=False)
    if not company or env.ref(DEMO_CUSTOMER_XMLID, raise_if_not_found=False):
        return
    env = env(context=dict(env.context, allowed_company_ids=[company.id], lang="zh_CN"))
    users = {
        user.login: user
        for user in env["res.users"].search([("login", "in", ["sales", "accountant"])])
    }
    if not env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1):
        # Odoo makes a company's warehouse when a user first asks for one: the demo does.
        env["stock.warehouse"].create(
            {
                "name": "星河上海仓",
                "code": "XH",
                "company_id": company.id,
                "partner_id": company.partner_id.id,
            }
        )
    month = fields.Date.context_today(env.user).replace(day=1)
    start, end = month - relativedelta(months=1), month - relativedelta(days=1)

    customer = env["res.partner"].create(
        {
            "name": "苏州姑苏精密机械有限公司",
            "is_company": True,
            "city": "苏州",
            "lang": "zh_CN",
            "email": "ap@gusu-machinery.example.cn",
            "user_id": users["sales"].id if "sales" in users else False,
        }
    )
    env["ir.model.data"].create(
        {
            "name": DEMO_CUSTOMER_XMLID.split(".")[1],
            "module": "customer_reconciliation_sale",
            "model": "res.partner",
            "res_id": customer.id,
            "noupdate": True,
        }
    )
    product = env["product.product"].create(
        {
            "name": "精密轴承 Precision bearing",
            "type": "consu",
            "invoice_policy": "delivery",
            "list_price": 200.0,
            "taxes_id": [Command.set(company.account_sale_tax_id.ids)],
        }
    )
    order = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "client_order_ref": "GS-PO-2611",
            "company_id": company.id,
            "date_order": fields.Datetime.to_datetime(start.replace(day=5)),
            "order_line": [
                Command.create(
                    {"product_id": product.id, "product_uom_qty": 10, "price_unit": 200.0}
                )
            ],
        }
    )
    order.action_confirm()
    order.date_order = fields.Datetime.to_datetime(start.replace(day=5))
    first = order.picking_ids
    _deliver(first, 6, start.replace(day=10))
    invoice = order._create_invoices()
    invoice.invoice_date = start.replace(day=12)
    invoice.action_post()
    backorder = order.picking_ids - first
    _deliver(backorder, 4, start.replace(day=28))

    accountant = users.get("accountant") or env.user
    session = (
        env["customer.reconciliation.engine"]
        .with_user(accountant)
        .generate(company, start, end, customer.ids)["created"]
    )
    session.user_id = accountant
    # Their ledger (accounts payable to us): our invoice under their PO, and the 4 bearings
    # booked on receipt under our delivery note.
    unit = order.order_line.price_total / order.order_line.product_uom_qty
    rows = [
        ["日期", "摘要", "单号", "借方", "贷方", "余额"],
        [
            invoice.invoice_date.isoformat(),
            "采购发票",
            order.client_order_ref,
            "",
            f"{invoice.amount_total:.2f}",
            f"{invoice.amount_total:.2f}",
        ],
        [
            start.replace(day=29).isoformat(),
            "收货 暂估",
            backorder.name,
            "",
            f"{4 * unit:.2f}",
            f"{invoice.amount_total + 4 * unit:.2f}",
        ],
    ]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    session.with_user(accountant)._import_customer_ledger(
        "姑苏精密-应付账款.csv", text.getvalue().encode("utf-8")
    )


def _deliver(picking, quantity, day):
    """Validate ``picking`` for ``quantity`` on ``day`` (a backorder for the rest)."""
    picking.move_ids.write({"quantity": quantity, "picked": True})
    picking.with_context(skip_backorder=True, picking_ids_not_to_backorder=[]).button_validate()
    moment = fields.Datetime.to_datetime(day) + relativedelta(hours=10)
    picking.write({"date_done": moment})
    picking.move_ids.write({"date": moment})
