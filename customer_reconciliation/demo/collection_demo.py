"""Demo collections (收款登记), part of the demo world of reconciliation_demo.py.

陈销售 collected a cheque from 成都天府建材 twelve days ago and has not handed it to the
cashier: the nightly check flags it missing (a to-do for him, an alert for the managers) - and
it is what the customer's disputed statement is about. Last month's transfer from 北京华联商贸
was reported the day before it arrived: the cashier 孙出纳 validated the match.
"""

from dateutil.relativedelta import relativedelta

from odoo import Command, fields


def load(env, company, sales, customers):
    """``customers``: {"hualian": partner, "tianfu": partner} of the demo world."""
    today = fields.Date.context_today(env.user)
    cashier = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": "孙出纳 (Sun Chuna, cashier)",
                "login": "cashier",
                "password": "cashier",
                "email": "cashier@xinghe-trading.example.cn",
                "lang": "zh_CN",
                "company_id": company.id,
                "company_ids": [Command.set([company.id])],
                "group_ids": [
                    Command.set(
                        (
                            env.ref("customer_reconciliation.group_reconciliation_cashier")
                            | env.ref("base.group_user")
                        ).ids
                    )
                ],
            }
        )
    )
    Collection = env["customer.reconciliation.collection"].with_user(sales)
    hualian, tianfu = customers["hualian"], customers["tianfu"]
    # The last payment of 北京华联商贸 (the 20th of last month), reported on the 19th.
    payment = env["account.payment"].search(
        [("partner_id", "=", hualian.id), ("payment_type", "=", "inbound")],
        order="date desc, id desc",
        limit=1,
    )
    transfer = Collection.create(
        {
            "partner_id": hualian.id,
            "date": payment.date - relativedelta(days=1),
            "amount": payment.amount,
            "method": "transfer",
            "reference": "HL-TT-0419",
            "note": "客户财务王芳告知已安排电汇。",
        }
    )
    # 21,450.00 of invoice TF-5, paid by cheque to 陈销售, never handed to the cashier.
    Collection.create(
        {
            "partner_id": tianfu.id,
            "date": today - relativedelta(days=12),
            "amount": 21450.0,
            "method": "cheque",
            "reference": "支票 No. 30471852",
            "note": "客户采购部交付的转账支票，待交出纳存入银行。",
        }
    )
    Collection = Collection.sudo()
    Collection._cron_check_collections(today=today)
    transfer.with_user(cashier).action_validate_match()
