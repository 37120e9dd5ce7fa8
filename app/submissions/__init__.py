"""The resident's online application: forms, drafts, submissions, receipts, status."""
