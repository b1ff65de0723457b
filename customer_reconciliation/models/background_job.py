"""What every job a user starts and the scheduled actions carry out shares (a sending, a bulk
approval, a ledger import): made by its starter, moved on by the workers only, cancelled by
the starter or a manager, and the starter told in the browser when it ends."""

from odoo import api, models
from odoo.exceptions import AccessError, UserError

from .session import without_client_defaults


class CustomerReconciliationBackgroundJob(models.AbstractModel):
    """A job with a ``state`` starting at ``queued`` and a starter ``user_id``, both set when
    it is made and never written by a user after (``_set_at_creation``: a model adds its
    own)."""

    _name = "customer.reconciliation.background.job"
    _description = "Customer Reconciliation Background Job"
    _set_at_creation = frozenset({"state", "user_id"})
    # Of those, the ones no user sets even when making the job (a model adds its own): the
    # workers' (their run, their end) or a superuser's (a customer's file from the portal).
    _set_by_workers = frozenset()

    # ------------------------------------------------------------------ guard
    @api.model_create_multi
    def create(self, vals_list):
        jobs = self
        if not self.env.su:
            if any(self._set_by_workers & set(vals) for vals in vals_list):
                raise AccessError(self._guard_message())
            # Nor from the context: a default_* key of theirs is not a value either.
            jobs = without_client_defaults(self, set(self._fields) - self._set_by_workers)
            for vals in vals_list:
                # Explicit, so that no default_state / default_user_id from the context decides.
                vals.setdefault("state", "queued")
                vals.setdefault("user_id", self.env.uid)
                if vals["state"] != "queued" or vals["user_id"] != self.env.uid:
                    raise AccessError(self._guard_message())
        return super(CustomerReconciliationBackgroundJob, jobs).create(vals_list)

    def write(self, vals):
        if not self.env.su and self._set_at_creation & set(vals):
            raise AccessError(self._guard_message())
        return super().write(vals)

    def _guard_message(self):
        raise NotImplementedError

    # ------------------------------------------------------------------ end and cancel
    def _notify_finished(self):
        """A notification in the starter's browser, in their language: ``_finished_message``."""
        for job in self.filtered("user_id"):
            job = job.with_context(lang=job.user_id.lang)
            title, message, problems = job._finished_message()
            job.user_id._bus_send(
                "simple_notification",
                {
                    "type": "warning" if problems else "success",
                    "sticky": bool(problems),
                    "title": title,
                    "message": message,
                },
            )

    def _finished_message(self):
        """(title, message, whether something went wrong) of the end."""
        raise NotImplementedError

    def _check_cancel(self):
        """Only the starter or a Reconciliation Manager cancels a job, and only while queued."""
        for job in self:
            if job.user_id != self.env.user and not self.env.user.has_group(
                "customer_reconciliation.group_reconciliation_manager"
            ):
                raise UserError(
                    self.env._(
                        "Only %(user)s, who started it, or a Reconciliation Manager cancels "
                        "%(job)s.",
                        user=job.user_id.name,
                        job=job.display_name,
                    )
                )
            if job.state != "queued":
                raise UserError(
                    self.env._("%(job)s is no longer in progress.", job=job.display_name)
                )
