"""Demo data: a Chinese trading company and seven customers, each with a typical story.

Imported only when demo data is loaded (demo/demo_data.xml calls the statement's
``_load_demo_data``, which calls :func:`load`): no model of its own in any database.
"""

from dateutil.relativedelta import relativedelta

from odoo import Command, fields

from . import collection_demo

DEMO_COMPANY_XMLID = "customer_reconciliation.demo_company_cn"


def load(env):
    """Build the demo world once."""
    if env.ref(DEMO_COMPANY_XMLID, raise_if_not_found=False):
        return
    _DemoBuilder(env)._load_demo()


class _DemoBuilder:
    """Creates the demo records through the ORM, as a user of the company would."""

    def __init__(self, env):
        self.env = env

    def _load_demo(self):
        company = self._demo_company()
        self = _DemoBuilder(
            self.env(context=dict(self.env.context, allowed_company_ids=[company.id], lang="zh_CN"))
        )
        users = self._demo_users(company)
        today = fields.Date.context_today(self.env.user)
        month = today.replace(day=1)  # first day of the current month

        def day(months_ago, day_of_month):
            return (month - relativedelta(months=months_ago)).replace(day=day_of_month)

        tags = self.env["customer.reconciliation.tag"].create(
            [
                {"name": "Key account", "color": 10},
                {"name": "High risk", "color": 1},
                {"name": "Foreign currency", "color": 4},
            ]
        )
        usd = self.env.ref("base.USD")
        usd.active = True
        self.env["res.currency.rate"].create(
            [
                {
                    "currency_id": usd.id,
                    "company_id": company.id,
                    "name": day(7, 1),
                    "rate": 1 / 7.20,
                },
                {
                    "currency_id": usd.id,
                    "company_id": company.id,
                    "name": day(3, 1),
                    "rate": 1 / 7.27,
                },
                {
                    "currency_id": usd.id,
                    "company_id": company.id,
                    "name": day(1, 1),
                    "rate": 1 / 7.14,
                },
            ]
        )
        Partner = self.env["res.partner"]
        sales = users["sales"]

        # 1. A long history of monthly invoices, each paid in part the following month.
        hualian = Partner.create(
            {
                "name": "北京华联商贸有限公司",
                "is_company": True,
                "city": "北京",
                "lang": "zh_CN",
                "email": "finance@hualian.example.cn",
                "user_id": sales.id,
                "reconciliation_frequency": "monthly",
            }
        )
        Partner.create(
            {
                "name": "王芳 (Wang Fang)",
                "parent_id": hualian.id,
                "type": "invoice",
                "function": "财务经理",
                "email": "wang.fang@hualian.example.cn",
            }
        )
        previous = None
        for months_ago, amount in zip(range(6, 0, -1), [45200, 38600, 52300, 41800, 47500, 39900]):
            invoice = self._invoice(
                hualian, amount, day(months_ago, 8), f"HL-PO-{2600 + months_ago}"
            )
            if previous:
                self._pay(previous, round(previous.amount_total * 0.8, 2), day(months_ago, 20))
            previous = invoice

        # 2. One payment for several invoices.
        pearl = Partner.create(
            {
                "name": "Guangzhou Pearl River Electronics Ltd.",
                "is_company": True,
                "city": "Guangzhou",
                "lang": "en_US",
                "email": "ap@pearlriver.example.com",
                "user_id": sales.id,
            }
        )
        batch = self.env["account.move"]
        for day_of_month, amount in [(3, 12800), (11, 9650), (24, 15420)]:
            batch |= self._invoice(pearl, amount, day(3, day_of_month), f"PR-{day_of_month:02d}")
        self._pay(batch, None, day(2, 10), group=True)
        self._invoice(pearl, 18700, day(1, 6), "PR-NEXT")

        # 3. Returns: credit notes against delivered goods.
        xihu = Partner.create(
            {
                "name": "杭州西湖家居有限公司",
                "is_company": True,
                "city": "杭州",
                "lang": "zh_CN",
                "email": "caiwu@xihu-home.example.cn",
                "user_id": sales.id,
            }
        )
        first = self._invoice(xihu, 26000, day(4, 12), "XH-0412")
        refund = self._invoice(xihu, 3200, day(4, 26), "XH-RET-01", move_type="out_refund")
        (first.line_ids | refund.line_ids).filtered(
            lambda l: l.account_id.account_type == "asset_receivable"
        ).reconcile()
        self._pay(first, None, day(3, 5))
        self._invoice(xihu, 18400, day(1, 15), "XH-0915")
        self._invoice(xihu, 1800, day(1, 22), "XH-RET-02", move_type="out_refund")

        # 4. An advance received before anything was invoiced.
        qianhai = Partner.create(
            {
                "name": "深圳前海科技有限公司",
                "is_company": True,
                "city": "深圳",
                "lang": "zh_CN",
                "email": "ar@qianhai-tech.example.cn",
                "reconciliation_frequency": "quarterly",
            }
        )
        advance = self._advance(qianhai, 50000, day(4, 2), "预付款 ADV-2026-001")
        for months_ago, amount in [(3, 30000), (1, 28000)]:
            invoice = self._invoice(qianhai, amount, day(months_ago, 18), f"QH-{months_ago}")
            (invoice.line_ids | advance.move_id.line_ids).filtered(
                lambda l: l.account_id.account_type == "asset_receivable" and not l.reconciled
            ).reconcile()

        # 5. Nothing paid for more than 90 days.
        tianfu = Partner.create(
            {
                "name": "成都天府建材有限公司",
                "is_company": True,
                "city": "成都",
                "lang": "zh_CN",
                "email": "tianfu@example.cn",
                "user_id": sales.id,
            }
        )
        for months_ago, amount in [(6, 33600), (5, 21450), (4, 8800)]:
            self._invoice(tianfu, amount, day(months_ago, 5), f"TF-{months_ago}", due_days=30)

        # 6. Billed in US dollars.
        pacific = Partner.create(
            {
                "name": "Pacific Rim Imports Inc.",
                "is_company": True,
                "city": "Seattle",
                "lang": "en_US",
                "email": "payables@pacificrim.example.com",
                "reconciliation_currency_id": usd.id,
            }
        )
        usd_invoices = self.env["account.move"]
        for months_ago, amount in [(5, 8200), (3, 5600), (1, 7300)]:
            usd_invoices |= self._invoice(
                pacific, amount, day(months_ago, 14), f"PRI-{months_ago}", currency=usd
            )
        self._pay(usd_invoices[0], None, day(4, 2))
        self._pay(usd_invoices[1], 3000, day(2, 9))

        # 7. Paid more than invoiced: a credit balance.
        jinling = Partner.create(
            {
                "name": "南京金陵食品有限公司",
                "is_company": True,
                "city": "南京",
                "lang": "zh_CN",
                "email": "jinling@example.cn",
            }
        )
        invoice = self._invoice(jinling, 12000, day(2, 7), "JL-0001")
        self._pay(invoice, 15000, day(1, 3))

        # 8. A customer in liquidation: its unpaid invoice goes to bad debt.
        oujiang = Partner.create(
            {
                "name": "温州瓯江五金有限公司",
                "is_company": True,
                "city": "温州",
                "lang": "zh_CN",
                "email": "oujiang@example.cn",
            }
        )
        self._invoice(oujiang, 15600, day(5, 9), "OJ-0509", due_days=30)

        # Last month's statements are already generated.
        engine = (
            self.env["customer.reconciliation.engine"]
            .with_user(users["accountant"])
            .with_context(lang=users["accountant"].lang)
        )
        result = engine.generate(company, day(1, 1), month - relativedelta(days=1))
        sessions = result["created"]
        for session in sessions:
            session.user_id = users["accountant"]
        sessions.filtered(lambda s: s.partner_id == hualian).tag_ids = tags[0]
        sessions.filtered(lambda s: s.partner_id == tianfu).tag_ids = tags[1]
        sessions.filtered(lambda s: s.partner_id == pacific).tag_ids = tags[2]
        self._demo_portal_user(pearl, company)
        self._demo_workflow(
            sessions,
            users,
            {
                "confirmed": hualian,
                "disputed": tianfu,
                "sent": pearl,
                "to_approve": xihu,
                "liquidation": oujiang,
            },
        )
        self._demo_settlements(sessions, users, tianfu, oujiang)
        collection_demo.load(
            self.env, company, users["sales"], {"hualian": hualian, "tianfu": tianfu}
        )
        self._demo_credit(company, {hualian: 60000, pearl: 20000, tianfu: 30000})
        self.env["ir.config_parameter"].sudo().set_param(
            "customer_reconciliation.demo_loaded_on", fields.Date.to_string(today)
        )

    def _demo_credit(self, company, limits):
        """Credit limits, then the receivables insight and its alerts as the nightly action
        leaves them: Pearl River pays on time near its limit (raise), 成都天府建材 is overdue
        above its limit (hold, and an alert)."""
        company.account_use_credit_limit = True
        for partner, limit in limits.items():
            partner.with_company(company).credit_limit = limit
        self.env["customer.reconciliation.insight"].sudo()._cron_refresh()

    def _demo_portal_user(self, customer, company):
        """Pearl River's accounts-payable clerk answers statements in the portal."""
        contact = self.env["res.partner"].create(
            {
                "name": "Lily Chen (Pearl River AP)",
                "parent_id": customer.id,
                "type": "invoice",
                "email": "lily.chen@pearlriver.example.com",
                "lang": "en_US",
            }
        )
        customer.reconciliation_contact_id = contact
        self.env["res.users"].with_context(no_reset_password=True).create(
            {
                "name": contact.name,
                "login": "pearl",
                "password": "pearl",
                "partner_id": contact.id,
                "company_id": company.id,
                "company_ids": [Command.set([company.id])],
                "group_ids": [Command.set([self.env.ref("base.group_portal").id])],
            }
        )

    def _demo_workflow(self, sessions, users, partners_by_state):
        """Move a few of last month's statements along the workflow."""
        accountant, approver = users["accountant"], users["approver"]
        for state, partner in partners_by_state.items():
            session = sessions.filtered(lambda s, p=partner: s.partner_id == p)
            session.with_user(accountant).with_context(lang=accountant.lang).action_submit()
            if state == "to_approve":
                continue
            session.with_user(approver).with_context(lang=approver.lang).action_approve()
            session.with_user(accountant).with_context(lang=accountant.lang).action_mark_sent()
            if state == "liquidation":
                session._record_dispute(
                    [
                        {
                            "reason": "other",
                            "customer_amount": 0.0,
                            "comment": "公司已进入破产清算，无力支付 / The company is in "
                            "liquidation and cannot pay",
                        }
                    ]
                )
            elif state == "confirmed":
                # The accountant's own upload: the evidence of an answer is never someone else's.
                evidence = (
                    self.env["ir.attachment"]
                    .with_user(accountant)
                    .with_context(lang=accountant.lang)
                    .create(
                        {
                            "name": "对账确认函-签章.pdf",
                            "raw": b"%PDF-1.4 demo signed confirmation",
                            "mimetype": "application/pdf",
                        }
                    )
                )
                session.with_user(accountant).with_context(
                    lang=accountant.lang
                )._record_confirmation(
                    "王芳",
                    title="财务经理",
                    channel="internal",
                    attachments=evidence,
                    comment="已盖章确认 / Signed and stamped",
                )
            elif state == "disputed":
                session._record_dispute(
                    [
                        {
                            "reason": "return_not_credited",
                            "customer_amount": session.closing_balance - 8800,
                            "comment": "7月退回的货物¥8,800尚未冲减 / Goods returned in July not credited yet",
                        }
                    ]
                )

    def _demo_settlements(self, sessions, users, tianfu, oujiang):
        """Tianfu's return is credited, which closes its statement and sends the next version;
        Oujiang's bad debt, above the approval limit, waits for a manager."""
        accountant, approver = users["accountant"], users["approver"]
        Wizard = (
            self.env["customer.reconciliation.settlement.wizard"]
            .with_user(accountant)
            .with_context(lang=accountant.lang)
        )
        disputed = sessions.filtered(lambda s: s.partner_id == tianfu)
        returned = self.env["account.move"].search(
            [("partner_id", "=", tianfu.id), ("ref", "=", "TF-4")], limit=1
        )
        Wizard.create(
            {
                "dispute_ids": [Command.set(disputed.dispute_ids.ids)],
                "settlement_type": "credit_note",
                "root_cause": "our_credit",
                "invoice_id": returned.id,
                "credit_mode": "whole",
                "explanation": "7月退货已开红字发票冲减 / Credit note issued for the goods "
                "returned in July",
            }
        ).action_settle()
        disputed.with_user(approver).with_context(lang=approver.lang).action_close_and_send_next()
        # The approver closed and submitted it: another manager approves (segregation).
        admin = self.env.ref("base.user_admin")
        following = disputed.next_version_ids
        following.with_user(admin).with_context(lang=admin.lang).action_approve()
        following.with_user(accountant).with_context(lang=accountant.lang).action_mark_sent()

        liquidation = sessions.filtered(lambda s: s.partner_id == oujiang)
        Wizard.create(
            {
                "dispute_ids": [Command.set(liquidation.dispute_ids.ids)],
                "settlement_type": "bad_debt",
                "root_cause": "customer_error",
                "explanation": "债务人破产清算，经批准核销 / Debtor in liquidation: written "
                "off once approved",
            }
        ).action_settle()

    # ------------------------------------------------------------------ helpers
    def _demo_company(self):
        # The company's and most customers' language: the demo's users work in it, and the
        # customers' documents (and Odoo's credit notes) are in their own.
        for code in ("zh_CN", "zh_TW"):
            self.env["res.lang"]._activate_lang(code)
        # This addon's and the chatter's terms now, so that the history the demo writes is in
        # the actors' language (Odoo's other terms: `make demo` loads the languages after).
        self.env["ir.module.module"]._load_module_terms(
            ["mail", "customer_reconciliation"], ["zh_CN", "zh_TW"]
        )
        cny = self.env.ref("base.CNY")
        cny.active = True
        company = self.env["res.company"].create(
            {
                "name": "上海星河贸易有限公司",
                "currency_id": cny.id,
                "country_id": self.env.ref("base.cn").id,
                "city": "上海",
                "street": "浦东新区世纪大道100号",
                "email": "finance@xinghe-trading.example.cn",
                "phone": "+86 21 5888 0000",
            }
        )
        self.env["ir.model.data"].create(
            {
                "name": DEMO_COMPANY_XMLID.split(".")[1],
                "module": "customer_reconciliation",
                "model": "res.company",
                "res_id": company.id,
                "noupdate": True,
            }
        )
        self.env["account.chart.template"].try_loading(
            "generic_coa", company=company, install_demo=False
        )
        company.currency_id = cny  # the generic chart sets its own currency
        self._demo_settlement_accounts(company)
        admin = self.env.ref("base.user_admin")
        admin.write({"company_ids": [Command.link(company.id)], "company_id": company.id})
        return company

    def _demo_settlement_accounts(self, company):
        """The accounts the settlements post to: 坏账准备, 预收账款 and the differences."""
        Account = self.env["account.account"].with_company(company)
        bad_debt, advances, differences = Account.create(
            [
                {
                    "code": "123101",
                    "name": "坏账准备 Allowance for doubtful accounts",
                    "account_type": "asset_current",
                },
                {
                    "code": "220301",
                    "name": "预收账款 Customer advances",
                    "account_type": "liability_current",
                    "reconcile": True,
                },
                {
                    "code": "671101",
                    "name": "对账差异 Reconciliation differences",
                    "account_type": "expense",
                },
            ]
        )
        company.write(
            {
                "reconciliation_bad_debt_account_id": bad_debt.id,
                "reconciliation_bad_debt_limit": 10000.0,
                "reconciliation_advance_account_id": advances.id,
                "reconciliation_writeoff_account_id": differences.id,
                "reconciliation_writeoff_tolerance": 1.0,
            }
        )

    def _demo_users(self, company):
        Users = self.env["res.users"].with_context(no_reset_password=True)
        account_user = self.env.ref("account.group_account_user")
        specs = {
            "accountant": (
                "李会计 (Li Kuaiji, accountant)",
                "customer_reconciliation.group_reconciliation_user",
            ),
            "approver": (
                "张经理 (Zhang Jingli, approver)",
                "customer_reconciliation.group_reconciliation_manager",
            ),
            "sales": ("陈销售 (Chen Xiaoshou, salesperson)", "sales_team.group_sale_salesman"),
            "auditor": (
                "Audit Partner (auditor)",
                "customer_reconciliation.group_reconciliation_auditor",
            ),
        }
        users = {}
        for login, (name, group) in specs.items():
            groups = self.env.ref(group) | self.env.ref("base.group_user")
            if login in ("accountant", "approver"):
                groups |= account_user
            users[login] = Users.create(
                {
                    "name": name,
                    "login": login,
                    "password": login,
                    "email": f"{login}@xinghe-trading.example.cn",
                    # The company's staff work in Chinese; the auditor is from abroad.
                    "lang": "en_US" if login == "auditor" else "zh_CN",
                    "company_id": company.id,
                    "company_ids": [Command.set([company.id])],
                    "group_ids": [Command.set(groups.ids)],
                }
            )
        return users

    def _invoice(
        self,
        partner,
        amount,
        invoice_date,
        ref,
        move_type="out_invoice",
        currency=None,
        due_days=30,
    ):
        move = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": invoice_date,
                "invoice_date_due": invoice_date + relativedelta(days=due_days),
                "ref": ref,
                "currency_id": (currency or self.env.company.currency_id).id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "货物 Goods"
                            if move_type == "out_invoice"
                            else "退货 Returned goods",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def _pay(self, invoices, amount, pay_date, group=False):
        vals = {"payment_date": pay_date, "group_payment": group or len(invoices) == 1}
        if amount is not None:
            vals.update(amount=amount, payment_difference_handling="open")
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create(vals)
        )
        return wizard._create_payments()

    def _advance(self, partner, amount, pay_date, memo):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": amount,
                "date": pay_date,
                "memo": memo,
            }
        )
        payment.action_post()
        return payment
