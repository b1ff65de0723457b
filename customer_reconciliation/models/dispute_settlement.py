"""Disputes and their settlements: resolving without an entry, what a settlement does to the
disputes it settles, and the way to the settlement wizard."""

from odoo import api, fields, models

from .dispute import UNSETTLED


class CustomerReconciliationDispute(models.Model):
    _inherit = "customer.reconciliation.dispute"

    settlement_ids = fields.Many2many(
        "customer.reconciliation.settlement",
        "customer_reconciliation_settlement_dispute_rel",
        "dispute_id",
        "settlement_id",
        string="Settlements",
        readonly=True,
        copy=False,
    )
    settlement_move_ids = fields.Many2many(
        "account.move", string="Settlement Entries", compute="_compute_settlement_moves"
    )
    settlement_move_count = fields.Integer(compute="_compute_settlement_moves")

    @api.depends("settlement_ids.move_ids")
    def _compute_settlement_moves(self):
        for dispute in self:
            dispute.settlement_move_ids = dispute.settlement_ids.move_ids
            dispute.settlement_move_count = len(dispute.settlement_move_ids)

    def action_resolve(self, resolution=None):
        """Resolved without an entry: a settlement by explanation, per statement (the customer
        is told). Entries are posted through the settlement wizard."""
        Settlement = self.env["customer.reconciliation.settlement"]
        for session in self.session_id:
            disputes = self.filtered(lambda d, s=session: d.session_id == s)
            Settlement._settle_disputes(
                disputes,
                {
                    "settlement_type": "explanation",
                    "explanation": resolution or disputes[:1].resolution,
                    "root_cause": disputes[:1].root_cause,
                    "date": fields.Date.context_today(self),
                },
            )
        return True

    def _resolve(self, settlement):
        """Settled by ``settlement`` (its documents posted): resolved, with its summary as the
        resolution, and the customer told how for the disputes they raised."""
        summary = settlement._summary()
        for dispute in self.filtered(lambda d: d.state in UNSETTLED):
            dispute._workflow_write(
                {
                    "state": "resolved",
                    "resolution": settlement.explanation or summary,
                    "root_cause": settlement.root_cause or dispute.root_cause,
                    "resolved_by_id": settlement.create_uid.id,
                    "resolved_date": fields.Datetime.now(),
                }
            )
            if (
                dispute.source in ("portal", "ledger")
                or settlement.settlement_type == "explanation"
            ):
                dispute._tell_customer(
                    self.env._(
                        "Dispute %(name)s is settled: %(summary)s",
                        name=dispute.name,
                        summary=summary
                        if settlement.settlement_type != "explanation"
                        else settlement.explanation,
                    )
                )

    def _await_settlement(self, settlement):
        """Its entry waits for a manager or its document for whoever posts it."""
        for dispute in self:
            dispute._workflow_write(
                {
                    "state": "investigating",
                    "root_cause": settlement.root_cause or dispute.root_cause,
                    "resolution": settlement.explanation or dispute.resolution,
                }
            )
            dispute.message_post(
                body=self.env._(
                    "Settlement %(name)s (%(type)s): %(state)s.",
                    name=settlement.name,
                    type=settlement._type_label(),
                    state=dict(settlement._fields["state"]._description_selection(self.env))[
                        settlement.state
                    ],
                )
            )

    def action_open_settlement_wizard(self):
        self._check_unsettled()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Settle Disputes"),
            "res_model": "customer.reconciliation.settlement.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_dispute_ids": [fields.Command.set(self.ids)]},
        }

    def action_view_settlement_moves(self):
        self.ensure_one()
        return self.env["customer.reconciliation.settlement"]._moves_action(
            self.settlement_move_ids, self.name
        )
