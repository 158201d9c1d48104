"""Payments: invoices paid by KKP card through Stripe or by bank transfer, refunds, and the members' ledger."""
