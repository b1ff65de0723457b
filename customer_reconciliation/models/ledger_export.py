"""XLSX export of the comparison with the customer's ledger: the rows side by side and the bridge."""

import io

import xlsxwriter

from odoo import models
from odoo.exceptions import UserError


class CustomerReconciliationSession(models.Model):
    _inherit = "customer.reconciliation.session"

    def _customer_comparison_xlsx(self):
        """The workbook as bytes, in the user's language: sheet 1 the comparison, sheet 2 the bridge."""
        self.ensure_one()
        _ = self.env._
        statuses = dict(
            self.env["customer.reconciliation.match"]
            ._fields["status"]
            ._description_selection(self.env)
        )
        kinds = dict(
            self.env["customer.reconciliation.line"]
            ._fields["kind"]
            ._description_selection(self.env)
        )
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, {"in_memory": True})
        digits = self.currency_id.decimal_places
        money_format = "#,##0" + ("." + "0" * digits if digits else "")
        bold = book.add_format({"bold": True})
        title = book.add_format({"bold": True, "font_size": 14})
        head = book.add_format(
            {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "top"}
        )
        money = book.add_format({"num_format": money_format})
        money_bold = book.add_format({"num_format": money_format, "bold": True, "top": 1})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        status_formats = {
            "matched": book.add_format({"font_color": "#1E7B34"}),
            "difference": book.add_format({"font_color": "#B7791F", "bold": True}),
            "only_ours": book.add_format({"font_color": "#C53030", "bold": True}),
            "only_theirs": book.add_format({"font_color": "#C53030", "bold": True}),
        }

        sheet = book.add_worksheet(_("Comparison")[:31])
        sheet.write(
            0,
            0,
            _(
                "%(statement)s — %(customer)s: our books and the customer's ledger",
                statement=self.name,
                customer=self.partner_id.display_name,
            ),
            title,
        )
        sheet.write(
            1,
            0,
            _(
                "Period %(start)s to %(end)s, in %(currency)s",
                start=self.date_from.isoformat(),
                end=self.date_to.isoformat(),
                currency=self.currency_id.name,
            ),
        )
        columns = [
            (_("Our Date"), 11),
            (_("Our Document"), 22),
            (_("Kind"), 14),
            (_("Our Amount"), 15),
            (_("Their Row"), 9),
            (_("Their Date"), 11),
            (_("Their Reference"), 20),
            (_("Their Description"), 28),
            (_("Their Amount"), 15),
            (_("Status"), 22),
            (_("Difference"), 14),
            (_("Explanation"), 70),
        ]
        for col, (label, width) in enumerate(columns):
            sheet.write(3, col, label, head)
            sheet.set_column(col, col, width)
        sheet.freeze_panes(4, 0)
        row = 4
        for match in self.customer_match_ids:
            has_ours, has_theirs = bool(match.our_count), bool(match.their_count)
            if match.our_date:
                sheet.write_datetime(row, 0, match.our_date, day)
            sheet.write(row, 1, match.our_document or "")
            sheet.write(row, 2, kinds.get(match.our_kind, ""))
            if has_ours:
                sheet.write_number(row, 3, match.our_amount, money)
            sheet.write(row, 4, match.their_rows or "")
            if match.their_date:
                sheet.write_datetime(row, 5, match.their_date, day)
            sheet.write(row, 6, match.their_reference or "")
            sheet.write(row, 7, match.their_description or "")
            if has_theirs:
                sheet.write_number(row, 8, match.their_amount, money)
            sheet.write(row, 9, statuses[match.status], status_formats[match.status])
            sheet.write_number(row, 10, match.difference, money)
            sheet.write(row, 11, match.explanation or "", wrap)
            row += 1
        if row > 4:
            sheet.autofilter(3, 0, row - 1, len(columns) - 1)
            sheet.write(row, 2, _("Total"), bold)
            sheet.write_formula(
                row,
                3,
                f"=SUM(D5:D{row})",
                money_bold,
                sum(self.customer_match_ids.mapped("our_amount")),
            )
            sheet.write_formula(
                row,
                8,
                f"=SUM(I5:I{row})",
                money_bold,
                sum(self.customer_match_ids.mapped("their_amount")),
            )
            sheet.write_formula(
                row,
                10,
                f"=SUM(K5:K{row})",
                money_bold,
                sum(self.customer_match_ids.mapped("difference")),
            )

        bridge = book.add_worksheet(_("Bridge")[:31])
        bridge.set_column(0, 0, 52)
        bridge.set_column(1, 2, 18)
        bridge.write(0, 0, _("From our closing balance to the customer's"), title)
        lines = [
            (_("Our closing balance"), self.closing_balance, None, bold),
            (
                _("Opening balance difference (theirs - ours)"),
                self.customer_bridge_opening,
                None,
                None,
            ),
            (
                _("Less: only in our books"),
                self.customer_bridge_only_ours,
                self.customer_only_ours_count,
                None,
            ),
            (
                _("Add: only in the customer's ledger"),
                self.customer_bridge_only_theirs,
                self.customer_only_theirs_count,
                None,
            ),
            (
                _("Add: amount differences (theirs - ours)"),
                self.customer_bridge_differences,
                self.customer_difference_count,
                None,
            ),
            (
                _("Their closing balance (from their lines)"),
                self.customer_bridge_their_closing,
                None,
                bold,
            ),
        ]
        if self.customer_ledger_closing_known:
            lines += [
                (
                    _("Their closing balance as reported in their file"),
                    self.customer_ledger_closing_reported,
                    None,
                    None,
                ),
                (_("Unexplained"), self.customer_bridge_unexplained, None, bold),
            ]
        bridge.write(2, 1, _("Amount"), head)
        bridge.write(2, 2, _("Lines"), head)
        for offset, (label, amount, count, fmt) in enumerate(lines, start=3):
            bridge.write(offset, 0, label, fmt)
            bridge.write_number(offset, 1, amount, money_bold if fmt else money)
            if count is not None:
                bridge.write_number(offset, 2, count)
        book.close()
        return output.getvalue()

    def action_export_customer_comparison(self):
        """Download the comparison as XLSX (kept as an attachment of the statement)."""
        self.ensure_one()
        if not self.customer_match_ids:
            raise UserError(self.env._("Import the customer's ledger of %s first.", self.name))
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._(
                    "Comparison %(statement)s.xlsx", statement=self.name.replace("/", "-")
                ),
                "raw": self._customer_comparison_xlsx(),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }
